"""The habits of a chat app on the Playground, through AppTest against the echo: Stop (one model
or all, what arrived kept and saved as stopped), Regenerate one answer, Compare following the
newest Send, an image alone as a question, and the echo's pace set in the sidebar."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN, REASONING
from tests.support.pages import shows, texts
from tests.support.playground_page import LIVE_KEY, answered, send, upload
from vision.echo import EchoServer, Fault
from vision.history.store import HistoryStore
from vision.values.result import STOPPED
from vision.values.run import RunFilter

RED = ("red.png", make_image("PNG", (600, 600), color=(200, 30, 30)), "image/png")


def _button(at: AppTest, prefix: str, index: int = 0):
    """The index-th button whose key starts with prefix (keys carry the question's id)."""
    found = [button for button in at.button if str(button.key or "").startswith(prefix)]
    assert len(found) > index, [button.key for button in at.button]
    return found[index]


def _slow(echo: EchoServer) -> None:
    """Both models answer a word every 0.1 s: time to press Stop while they stream."""
    echo.add_fault(Fault(kind="slow", token_delay_s=0.1, times=2))


def _until_words(at: AppTest, column: int, words: int) -> None:
    live = at.session_state[LIVE_KEY]
    deadline = time.monotonic() + 20
    while len(live.snapshot().columns[column].text.split()) < words:
        assert time.monotonic() < deadline, "the answer never started"
        time.sleep(0.05)


def test_stop_keeps_what_one_model_said_and_saves_it_as_stopped(app, echo, history_file):
    at = app()
    upload(at, RED)
    _slow(echo)
    at.button(key="send").click().run()
    assert at.button(key="send").disabled  # one Send, waiting while the models answer
    _until_words(at, 0, 4)
    _button(at, "stop-one-", 0).click().run()
    answered(at)

    assert shows(at, "Stopped as you asked: what had arrived is kept, saved as stopped.")
    runs = {run.model: run for run in HistoryStore(history_file).search_runs(RunFilter())}
    assert runs[LLAMA].finish_reason == STOPPED
    assert not runs[LLAMA].complete
    assert runs[LLAMA].answer.startswith("[echo backend")
    assert runs[QWEN].finish_reason == "stop"  # the other model went on to the end
    assert len(runs[LLAMA].answer.split()) < len(runs[QWEN].answer.split())
    assert not at.button(key="send").disabled


def test_stop_all_stops_every_model_and_sends_nothing_more(app, echo, history_file):
    at = app()
    upload(at, RED)
    _slow(echo)
    at.button(key="send").click().run()
    _until_words(at, 1, 2)
    _button(at, "stop-all-").click().run()
    answered(at)
    runs = HistoryStore(history_file).search_runs(RunFilter())
    assert sorted(run.finish_reason or "" for run in runs) == [STOPPED, STOPPED]
    assert len(echo.chat_requests) == 2


def test_regenerate_asks_one_model_again_and_keeps_the_other_answer(app, echo, history_file):
    at = app()
    upload(at, RED)
    send(at)
    llama_before = at.session_state["conversation"].latest.columns()[0].text
    _button(at, "again-", 1).click().run()  # Qwen's
    answered(at)

    assert [request.body["model"] for request in echo.chat_requests[2:]] == [QWEN]
    columns = at.session_state["conversation"].latest.columns()
    assert columns[0].text == llama_before
    assert columns[1].result is not None
    assert len(HistoryStore(history_file).search_runs(RunFilter(model=QWEN))) == 2


def test_after_a_new_send_compare_points_at_the_newest_answers(app):
    at = app()
    upload(at, RED)
    send(at)
    at.toggle(key="diff_on").set_value(True).run()
    at.text_area(key="prompt").set_value("Describe the colours.").run()
    send(at)
    labels = at.selectbox(key="diff_a").format_func
    for key in ("diff_a", "diff_b"):
        assert "Describe the colours." in labels(at.selectbox(key=key).value)


def test_an_image_alone_is_asked_the_default_question_and_the_page_says_so(app, echo):
    at = app()
    upload(at, RED)
    at.text_area(key="prompt").set_value("  ").run()
    assert not at.button(key="send").disabled
    assert shows(at, "No prompt: the models are asked “What is in this image?”.")
    send(at)
    prompts = {request.body["messages"][-1]["content"][0]["text"] for request in echo.chat_requests}
    assert prompts == {"What is in this image?"}


def test_the_echo_answers_at_the_pace_set_in_the_sidebar(app, history_file):
    at = app(key=None)  # no key: the page's own echo
    assert at.toggle(key="use_echo").value
    at.number_input(key="echo_ttft").set_value(0.6).run()
    at.number_input(key="echo_tokens_per_second").set_value(40.0).run()
    upload(at, RED)
    send(at)
    for run in HistoryStore(history_file).search_runs(RunFilter()):
        assert run.ttft_s is not None
        assert run.ttft_s >= 0.6
        assert run.latency_s is not None
        gaps = (run.usage.completion_tokens or 0) - 1  # after the first, one every 1/40 s
        assert gaps > 10
        # A lower bound only (a busy machine makes the waits longer); the echo's own 100 tokens
        # a second would be quicker.
        assert run.latency_s >= 0.6 + 0.9 * gaps / 40


def test_reasoning_streams_then_folds_under_the_answer_with_its_tokens(app, echo):
    at = app()
    at.multiselect(key="models").set_value([REASONING, QWEN]).run()
    upload(at, RED)
    echo.add_fault(Fault(kind="slow", token_delay_s=0.05, model=REASONING, times=1))
    at.button(key="send").click().run()
    live = at.session_state[LIVE_KEY]
    deadline = time.monotonic() + 20
    while not live.snapshot().columns[0].reasoning:
        assert time.monotonic() < deadline, "no reasoning streamed"
        time.sleep(0.02)
    at.run()  # as a redraw while it thinks
    if not live.snapshot().columns[0].text:
        assert shows(at, "Reasoning… (the answer follows)")
    answered(at)

    (folded,) = [e for e in at.expander if str(e.label).startswith("Reasoning · ")]
    result = at.session_state["conversation"].latest.columns()[0].result
    assert folded.label == f"Reasoning · {result.usage.reasoning_tokens:,} tokens"
    assert result.usage.reasoning_tokens
    (usage,) = [text for text in texts(at) if "reasoning]" in text]
    assert f"{result.usage.reasoning_tokens:,} reasoning]" in usage
    assert f"{result.usage.answer_tokens:,} answer]" in usage
    assert "first answer token" in usage
    # The answer is the answer alone: the thinking is only in the fold.
    assert result.reasoning
    assert result.reasoning not in result.text
