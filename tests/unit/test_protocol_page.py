"""The load benchmark's view of a page keeps what a browser keeps: the values a browser would send
back, answers counted only when a run after the click drew them, stale elements dropped when a
run finishes, and cached elements standing in for their references."""

from __future__ import annotations

from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.protocol_page import FINISHED, PageView


def _run(page: PageView) -> None:
    message = ForwardMsg()
    message.new_session.page_script_hash = "page-hash"
    message.new_session.initialize.session_id = "session-1"
    page.apply(message)


def _finish(page: PageView) -> None:
    message = ForwardMsg()
    message.script_finished = FINISHED
    page.apply(message)


def _draw(page: PageView, path: tuple[int, ...], element: Element) -> ForwardMsg:
    message = ForwardMsg()
    message.metadata.delta_path.extend(path)
    message.delta.new_element.CopyFrom(element)
    page.apply(message)
    return message


def _markdown(body: str) -> Element:
    element = Element()
    element.markdown.body = body
    return element


def test_widgets_report_the_values_a_browser_reports() -> None:
    page = PageView()
    _run(page)
    prompt = Element()
    prompt.text_area.id = "$$ID-1-prompt"
    prompt.text_area.value = "What is in this image?"
    prompt.text_area.set_value = True
    models = Element()
    models.multiselect.id = "$$ID-2-models"
    models.multiselect.options.extend(["Llama", "Qwen", "Other"])
    models.multiselect.default.extend([0, 1])
    empty_number = Element()
    empty_number.number_input.id = "$$ID-3-budget"
    send = Element()
    send.button.id = "$$ID-4-send"
    for index, element in enumerate((prompt, models, empty_number, send)):
        _draw(page, (0, index), element)

    assert page.session_id == "session-1"
    assert page.page_hash == "page-hash"
    assert page.widget_id("send") == "$$ID-4-send"
    assert page.enabled("send")
    assert page.states["$$ID-1-prompt"].string_value == "What is in this image?"
    assert list(page.states["$$ID-2-models"].string_array_value.data) == ["Llama", "Qwen"]
    # An empty number input and a button report nothing until they are used.
    assert set(page.states) == {"$$ID-1-prompt", "$$ID-2-models"}
    page.typed("$$ID-1-prompt", "Read the sign")
    prompt.text_area.set_value = False
    _draw(page, (0, 0), prompt)  # drawn again without a new value from the server
    assert page.states["$$ID-1-prompt"].string_value == "Read the sign"


def test_answers_count_only_when_a_run_after_the_click_drew_them() -> None:
    page = PageView()
    _run(page)
    _draw(page, (0, 0), _markdown("old answer :green-badge[finish: stop]"))
    _draw(page, (0, 1), _markdown("old answer :green-badge[finish: stop]"))
    _finish(page)
    clicked = page.runs
    assert page.finished_answers(clicked) == 0
    _run(page)
    _draw(page, (0, 0), _markdown("new answer so far ▍"))
    _draw(page, (0, 1), _markdown("new answer :green-badge[finish: stop]"))
    assert page.finished_answers(clicked) == 1
    _draw(page, (0, 0), _markdown("new answer :green-badge[finish: stop]"))
    assert page.finished_answers(clicked) == 2
    assert page.answers_run(clicked) == page.runs
    assert page.last_finished_run < page.runs  # the run has not finished yet
    _finish(page)
    assert page.last_finished_run == page.runs


def test_a_finished_run_drops_what_it_did_not_draw_and_its_widgets_values() -> None:
    page = PageView()
    _run(page)
    toggle = Element()
    toggle.checkbox.id = "$$ID-5-camera_on"
    _draw(page, (0, 0), toggle)
    _draw(page, (0, 1), _markdown("a caption"))
    _finish(page)
    assert "$$ID-5-camera_on" in page.states
    _run(page)
    _draw(page, (0, 1), _markdown("a caption"))
    assert (0, 0) in page.elements  # a running run leaves the old page on screen
    _finish(page)
    assert (0, 0) not in page.elements
    assert "$$ID-5-camera_on" not in page.states
    assert page.widget_id("camera_on") is None


def test_a_reference_stands_for_the_element_cached_under_its_hash() -> None:
    page = PageView()
    _run(page)
    image = Element()
    image.imgs.imgs.add().url = "/media/abc.jpg"
    full = ForwardMsg()
    full.hash = "h1"
    full.metadata.cacheable = True
    full.metadata.delta_path.extend([0, 2])
    full.delta.new_element.CopyFrom(image)
    page.apply(full)
    assert list(page.cache) == ["h1"]
    assert page.unfetched_media() == ["/media/abc.jpg"]
    page.media["/media/abc.jpg"] = True
    _finish(page)
    _run(page)
    reference = ForwardMsg()
    reference.ref_hash = "h1"
    reference.metadata.delta_path.extend([0, 3])
    page.apply(reference)
    _finish(page)
    assert list(page.elements) == [(0, 3)]
    assert page.elements[(0, 3)].element.imgs.imgs[0].url == "/media/abc.jpg"
    assert page.unfetched_media() == []  # a browser fetches each address once


def test_a_value_the_server_sets_replaces_the_typed_one() -> None:
    page = PageView()
    _run(page)
    prompt = Element()
    prompt.text_area.id = "$$ID-1-prompt"
    _draw(page, (0, 0), prompt)
    page.typed("$$ID-1-prompt", "Read the sign")
    prompt.text_area.value = "A reopened run's prompt"
    prompt.text_area.set_value = True
    _draw(page, (0, 0), prompt)
    assert page.states["$$ID-1-prompt"].string_value == "A reopened run's prompt"


def test_a_message_that_draws_again_what_is_shown_there_is_a_repeat() -> None:
    page = PageView()
    _run(page)

    def draw(path: tuple[int, ...], body: str, content: str) -> bool:
        message = ForwardMsg()
        message.hash = content  # Streamlit's hash of the content, metadata left out
        message.metadata.delta_path.extend(path)
        message.delta.new_element.markdown.body = body
        return page.apply(message)

    assert not draw((0, 0), "Vision Playground", "title")
    assert not draw((0, 1), "an answer so far", "answer-1")
    _finish(page)
    _run(page)
    assert draw((0, 0), "Vision Playground", "title")  # the same title again
    assert not draw((0, 1), "an answer, longer", "answer-2")
    assert not draw((0, 2), "Vision Playground", "title")  # the same content elsewhere is new


def test_a_fragments_run_redraws_only_its_own_and_its_timer_lasts_until_a_full_run() -> None:
    page = PageView()
    _run(page)
    _draw(page, (0, 0), _markdown("The page's own"))
    timer = ForwardMsg()
    timer.auto_rerun.fragment_id = "answers"
    timer.auto_rerun.interval = 0.25  # exact in the proto's float
    page.apply(timer)
    streaming = _draw_in(page, (0, 1), _markdown("An answer ▍"), fragment="answers")
    _finish(page)
    assert page.auto_reruns == {"answers": 0.25}

    tick = ForwardMsg()
    tick.new_session.page_script_hash = "page-hash"
    tick.metadata.run.fragment_ids.append("answers")
    page.apply(tick)
    _draw_in(page, (0, 2), _markdown("An answer [finish: stop]"), fragment="answers")
    done = ForwardMsg()
    done.script_finished = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    page.apply(done)
    bodies = [drawn.element.markdown.body for drawn in page.elements.values()]
    assert bodies == ["The page's own", "An answer [finish: stop]"]  # its old text left
    assert streaming.delta.fragment_id == "answers"

    _run(page)  # a full run: the browser drops every timer it has not registered again
    assert page.auto_reruns == {}


def _draw_in(page: PageView, path: tuple[int, ...], element: Element, *, fragment: str):
    message = ForwardMsg()
    message.metadata.delta_path.extend(path)
    message.delta.new_element.CopyFrom(element)
    message.delta.fragment_id = fragment
    page.apply(message)
    return message
