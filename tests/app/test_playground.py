"""The Playground sending and answering, through Streamlit's AppTest against the echo backend."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from tests.support.pages import (
    APP,
    TIMEOUT_S,
    page_dump as _page_dump,
    shows as _shows,
    texts as _texts,
    walk as _walk,
)
from tests.support.playground_page import answered, send as _send, upload as _upload
from vision.echo import TEXT_ONLY_MODEL, Fault


def test_two_images_to_both_models_give_two_answers_with_usage(app, echo):
    at = app()
    assert at.multiselect(key="models").value == [LLAMA, QWEN]
    _upload(
        at,
        ("red.png", make_image("PNG", (640, 480)), "image/png"),
        ("photo.jpg", make_photo((800, 600)), "image/jpeg"),
    )
    _send(at)

    chats = {request.body["model"]: request for request in echo.chat_requests}
    assert sorted(chats) == sorted([LLAMA, QWEN])
    qwen_parts = chats[QWEN].body["messages"][-1]["content"]
    assert [part["type"] for part in qwen_parts] == ["text", "image_url", "image_url"]
    # Llama 3.2 reads one image reliably: by default both go as one labelled grid.
    llama_parts = chats[LLAMA].body["messages"][-1]["content"]
    assert [part["type"] for part in llama_parts] == ["text", "image_url"]
    assert _shows(at, f"{QWEN} received the prompt “What is in this image?” with 2 images")
    assert _shows(at, f"{LLAMA} received the prompt “What is in this image?” with 1 image: ")
    usage = [text for text in _texts(at) if "total tokens]" in text]
    assert len(usage) == 2
    for line in usage:
        assert " prompt]" in line
        assert " completion]" in line
        assert " tok/s]" in line
        assert "finish: stop" in line


def test_a_rerun_after_an_answer_keeps_it(app):
    at = app()
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    _send(at)
    answer = f"{QWEN} received the prompt"
    assert _shows(at, answer)

    at.text_area(key="prompt").set_value("And what colour is it?").run()
    at.toggle(key="camera_on").set_value(False).run()

    assert not at.exception
    assert _shows(at, answer)
    assert len(at.file_uploader(key="images").value) == 1


def test_a_wrong_key_says_to_check_the_key_and_nothing_crashes(app):
    at = app(key="wrong-key")
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    _send(at)

    errors = [element.value for element in at.error]
    assert len(errors) == 2
    assert all("key" in error.lower() for error in errors), errors


def test_a_text_only_model_never_gets_images(app, echo):
    at = app()
    assert _shows_option(at, "Llama-3.3-70B-Instruct · text only")
    at.multiselect(key="models").set_value([TEXT_ONLY_MODEL]).run()
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))

    assert at.button(key="send").disabled
    assert _shows(at, "Llama-3.3-70B-Instruct cannot read images")
    assert echo.chat_requests == []

    at.file_uploader(key="images").set_value(None).run()
    _send(at)  # a text-only question is fine
    assert [request.body["model"] for request in echo.chat_requests] == [TEXT_ONLY_MODEL]
    assert _shows(at, "with no images")


def _shows_option(at: AppTest, label: str) -> bool:
    return label in str(at.multiselect(key="models").proto)


def test_without_a_key_the_page_offers_the_echo_backend(app, echo):
    at = app(key=None)
    assert _shows(at, "Echo backend: describes what the model would receive; no model runs")
    assert _shows(at, "IOINTELLIGENCE_API_KEY")
    assert at.toggle(key="use_echo").value
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    _send(at)
    assert echo.requests == []  # the page's own echo answered, not the configured endpoint
    assert _shows(at, "[echo backend — no model ran]")


def test_the_key_never_reaches_the_page(app):
    secret = "sk-test-" + "s3cr3t" * 4
    at = app(key=secret)
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    at.button(key="send").click().run()
    answered(at)
    assert not at.exception
    assert secret not in _page_dump(at)
    assert "s3cr3t" not in _page_dump(at)


def test_nested_secrets_provide_the_key(echo, monkeypatch):
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.delenv("IOINTELLIGENCE_API_KEY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.secrets["io_intelligence"] = {"api_key": ECHO_API_KEY}
    at.run()
    assert not at.exception
    assert not at.toggle(key="use_echo").value
    assert _shows(at, "Key from the secrets")
    assert any(request.authorized for request in echo.requests)  # /models with the right key


def test_when_models_cannot_be_read_the_documented_models_are_offered(app, echo):
    echo.add_fault(Fault(kind="status", status=503, endpoint="models", times=None))
    at = app()
    assert _shows(at, "Could not read the model list")
    assert _shows(at, "Showing the two documented vision models instead")
    assert at.multiselect(key="models").value == [LLAMA, QWEN]


def test_an_error_in_one_column_leaves_the_other_answer_visible(app, echo):
    echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=None))
    at = app()
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    _send(at)
    assert len(at.error) == 1
    assert _shows(at, f"{LLAMA} received the prompt")


def test_an_answer_cut_short_is_flagged(app, echo):
    echo.add_fault(Fault(kind="truncate", after_chunks=3, model=LLAMA))
    at = app()
    at.number_input(key="max_tokens").set_value(16).run()
    _send(at)
    warnings = [element.value for element in at.warning]
    assert any("stream ended before the answer was complete" in text for text in warnings)
    assert any("max-tokens limit" in text for text in warnings), warnings


def test_a_key_pasted_in_the_sidebar_is_used_for_this_session(app, echo):
    at = app(key=None)
    at.text_input(key="api_key_input").set_value(ECHO_API_KEY).run()
    assert not at.toggle(key="use_echo").value
    assert _shows(at, "Key for this session only")
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    _send(at)
    assert len(echo.chat_requests) == 2
    assert all(request.authorized for request in echo.chat_requests)
    field = at.text_input(key="api_key_input")
    assert field.proto.type == field.proto.PASSWORD
    # The key is nowhere on the page except in the masked field that holds it.
    others = [str(getattr(node, "proto", "")) for node in _walk(at._tree) if node is not field]
    assert not any(ECHO_API_KEY in text for text in others)


def test_send_says_what_is_missing(app, echo):
    at = app()
    at.text_area(key="prompt").set_value("   ").run()
    assert at.button(key="send").disabled
    assert _shows(at, "Write a prompt.")
    at.text_area(key="prompt").set_value("What is in this image?").run()
    at.multiselect(key="models").set_value([]).run()
    assert at.button(key="send").disabled
    assert _shows(at, "Choose at least one model.")
    assert echo.chat_requests == []


def test_the_echo_can_be_chosen_even_with_a_key_and_says_how_to_leave_it(app, echo):
    at = app()
    at.toggle(key="use_echo").set_value(True).run()
    assert _shows(at, "To ask the real models, turn off the echo backend in the sidebar.")
    _send(at)
    assert echo.chat_requests == []  # the page's own echo answered
    assert _shows(at, "[echo backend — no model ran]")


def test_a_request_over_the_context_window_is_stopped_with_the_numbers(app, echo):
    at = app()
    at.text_area(key="prompt").set_value("Describe this. " * 9_000).run()  # ≈33,750 tokens
    assert at.button(key="send").disabled
    reason = f"max tokens exceed {QWEN}'s 32,768-token context"
    assert _shows(at, reason)
    assert _shows(at, "shorten the prompt or lower Max tokens")
    at.multiselect(key="models").set_value([LLAMA]).run()  # 131,072 tokens: fits
    assert not _shows(at, reason)
    _send(at)
    assert [request.body["model"] for request in echo.chat_requests] == [LLAMA]


def test_the_preflight_shows_tokens_context_and_cost(app):
    at = app()
    _upload(at, ("photo.jpg", make_photo((1600, 1200)), "image/jpeg"))
    lines = [text for text in _texts(at) if text.startswith("**Qwen2-VL-7B-Instruct**")]
    assert len(lines) == 1
    assert "1 image · ≈" in lines[0]
    assert "+ 1,024 max of 32,768 context" in lines[0]
    assert "at most" in lines[0]  # the echo's /models gives prices


def test_a_usage_far_below_the_image_estimate_warns_in_that_column(app, monkeypatch):
    # A server that drops the images counts only the text: the echo is made to count so.
    monkeypatch.setattr("vision.echo.images.image_tokens", lambda *_, **__: 0)
    at = app()
    _upload(at, ("photo.jpg", make_photo((1600, 1200)), "image/jpeg"))
    _send(at)
    warnings = [element.value for element in at.warning]
    # Only Qwen's count proves anything: Llama 3.2's image tokens are counted differently by
    # different engines, so its column stays quiet.
    assert len([text for text in warnings if "may not have received the image(s)" in text]) == 1
