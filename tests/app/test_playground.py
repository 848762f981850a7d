"""The Playground page driven through Streamlit's AppTest against the in-process echo backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import PIL.Image
import pytest
from streamlit.testing.v1 import AppTest

import ui.preparation
import ui.preview
import vision
from tests.conftest import ECHO_API_KEY
from tests.image_server import serve_images
from tests.images import make_image, make_photo
from tests.pages import APP, LLAMA, QWEN, TIMEOUT_S
from tests.pages import page_dump as _page_dump
from tests.pages import shows as _shows
from tests.pages import texts as _texts
from tests.pages import walk as _walk
from vision.echo import TEXT_ONLY_MODEL, EchoServer, Fault


@pytest.fixture
def app(echo: EchoServer, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """A function that starts the page against the echo backend with the given key."""

    def start(key: str | None = ECHO_API_KEY) -> AppTest:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
        if key is None:
            monkeypatch.delenv("IOINTELLIGENCE_API_KEY", raising=False)
        else:
            monkeypatch.setenv("IOINTELLIGENCE_API_KEY", key)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}  # isolate from a developer's secrets.toml
        at.run()
        assert not at.exception
        return at

    return start


def _upload(at: AppTest, *files: tuple[str, bytes, str]) -> None:
    at.file_uploader(key="images").set_value(list(files)).run()
    assert not at.exception


def _send(at: AppTest) -> None:
    assert not at.button(key="send").disabled, _texts(at)
    at.button(key="send").click().run()
    assert not at.exception


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


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("broken.png", make_image("PNG", (600, 600))[:200], "image/png"),
        ("notes.png", b"These are my meeting notes, not a picture.\n" * 20, "image/png"),
    ],
    ids=["corrupt", "renamed-text"],
)
def test_an_image_that_cannot_be_sent_shows_why_and_sends_nothing(app, echo, name, data, mime):
    at = app()
    _upload(at, (name, data, mime), ("good.png", make_image("PNG", (600, 600)), "image/png"))

    assert len(at.error) == 1  # the bad image's card; the good one is fine
    send = at.button(key="send")
    assert send.disabled
    assert _shows(at, f"Image 1 ({name}) cannot be sent: remove it first.")
    assert echo.chat_requests == []

    at.button(key="remove:" + _first_file_id(at)).click().run()
    assert not at.button(key="send").disabled


def _first_file_id(at: AppTest) -> str:
    return "file:" + at.file_uploader(key="images").value[0].file_id


def test_an_eleventh_image_gets_a_message_and_is_never_dropped_silently(app, echo):
    at = app()
    files = [
        (f"img{i}.png", make_image("PNG", (64, 64), color=(i, 0, 0)), "image/png")
        for i in range(11)
    ]
    _upload(at, *files)

    assert _shows(at, "11 images added, but a request takes at most 10: remove 1 to send")
    assert _shows(at, "Over the limit")
    assert at.button(key="send").disabled
    assert echo.chat_requests == []


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


def test_an_upload_is_prepared_once_per_model_not_on_every_rerun(app, monkeypatch):
    calls: list[str | None] = []
    real = vision.prepare_image

    def counting(data: bytes, **kwargs: Any) -> Any:
        calls.append(kwargs.get("model"))
        return real(data, **kwargs)

    monkeypatch.setattr(ui.preparation, "prepare_image", counting)
    at = app()
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    at.text_area(key="prompt").set_value("Describe it.").run()
    at.text_area(key="prompt").set_value("Describe it again.").run()
    assert sorted(calls) == sorted([LLAMA, QWEN])  # once per model, not once per rerun


def test_a_rerun_with_nothing_new_opens_no_image(app, monkeypatch):
    at = app()
    _upload(at, ("red.png", make_image("PNG", (600, 600)), "image/png"))
    opened: list[object] = []
    real_open = PIL.Image.open

    def counting_open(*args: Any, **kwargs: Any) -> Any:
        opened.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(PIL.Image, "open", counting_open)
    at.run()
    at.run()
    assert not at.exception
    assert opened == []
    assert _shows(at, "PNG · 600×600")
    assert "data:image/jpeg;base64," in _page_dump(at)  # the card's thumbnail


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


def test_a_url_image_is_fetched_checked_and_sent_inline(app, echo, monkeypatch):
    monkeypatch.setenv("VISION_ALLOW_LOOPBACK_URLS", "1")
    photo = make_photo((900, 700))
    with serve_images({"/cat.jpg": (photo, "image/jpeg")}) as base:
        at = app()
        at.text_area(key="image_urls").set_value(f"{base}/cat.jpg\n\n{base}/cat.jpg").run()
        assert _shows(at, "Fetched and checked here.")
        assert _shows(at, "Sent inline: the URL points to this machine")
        assert _shows(at, "JPEG · 900×700")
        _send(at)
    for request in echo.chat_requests:
        parts = request.body["messages"][-1]["content"]
        assert len(parts) == 2  # the repeated line counts once
        assert parts[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_a_url_to_this_machine_is_refused_unless_the_operator_allows_it(app, echo):
    with serve_images({"/cat.jpg": (make_photo((900, 700)), "image/jpeg")}) as base:
        at = app()
        at.text_area(key="image_urls").set_value(f"{base}/cat.jpg").run()
    assert len(at.error) == 1
    assert at.button(key="send").disabled
    at.button(key=f"remove:url:{base}/cat.jpg").click().run()
    assert at.text_area(key="image_urls").value == ""
    assert not at.button(key="send").disabled


def test_a_camera_photo_gets_a_card_and_is_kept(app):
    at = app()
    at.toggle(key="camera_on").set_value(True).run()
    at.camera_input(key="camera").set_value(
        ("shot.jpg", make_photo((640, 480)), "image/jpeg")
    ).run()
    assert not at.exception
    assert _shows(at, "JPEG · 640×480")
    at.toggle(key="camera_on").set_value(False).run()
    assert _shows(at, "JPEG · 640×480")


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


def test_the_qwen_token_budget_changes_what_qwen_receives(app, echo):
    at = app()
    _upload(at, ("photo.jpg", make_photo((2400, 1800)), "image/jpeg"))
    assert _shows(at, "**Qwen2-VL-7B**: 1148×840 JPEG")  # ≈1,280 tokens
    at.number_input(key="qwen_token_budget").set_value(256).run()
    assert _shows(at, "**Qwen2-VL-7B**: 504×364 JPEG")
    _send(at)
    [qwen] = [request for request in echo.chat_requests if request.body["model"] == QWEN]
    assert "504×364" in _answer_of(at, QWEN)
    assert qwen.body["messages"][-1]["content"][1]["image_url"]["url"].startswith("data:image/jpeg")


def _answer_of(at: AppTest, model: str) -> str:
    return next(text for text in _texts(at) if f"{model} received the prompt" in text)


def test_a_usage_far_below_the_image_estimate_warns_in_that_column(app, monkeypatch):
    # A server that drops the images counts only the text: the echo is made to count so.
    monkeypatch.setattr("vision.echo.images.estimate_image_tokens", lambda *_, **__: 0)
    at = app()
    _upload(at, ("photo.jpg", make_photo((1600, 1200)), "image/jpeg"))
    _send(at)
    warnings = [element.value for element in at.warning]
    # Only Qwen's count proves anything: Llama 3.2's image tokens are counted differently by
    # different engines, so its column stays quiet.
    assert len([text for text in warnings if "may not have received the image(s)" in text]) == 1


def test_the_preview_shows_each_models_pixels_at_one_to_one(app):
    at = app()
    _upload(at, ("photo.jpg", make_photo((2400, 1800)), "image/jpeg"))
    at.button(key="preview:" + _first_file_id(at)).click().run()
    assert not at.exception
    assert _shows(at, "**Llama-3.2-90B-Vision**: 1120×840 px")
    assert _shows(at, "**Qwen2-VL-7B**: 1148×840 px")
    assert _shows(at, "resized 2400×1800 to 1120×840")
    [dialog] = [node for node in _walk(at._tree) if getattr(node, "type", None) == "dialog"]
    assert dialog.proto.dialog.pixel_width == 1148 + ui.preview.DIALOG_MARGIN_PX  # room for 1:1
    assert len([node for node in _walk(dialog) if getattr(node, "type", None) == "image"]) == 2


def test_llama_with_several_images_can_get_one_request_per_image(app, echo):
    at = app()
    _upload(
        at,
        ("a.png", make_image("PNG", (600, 600)), "image/png"),
        ("b.jpg", make_photo((800, 600)), "image/jpeg"),
    )
    assert at.radio(key="llama_images").value == "stitch"
    at.radio(key="llama_images").set_value("per_image").run()
    assert _shows(at, "2 requests, one per image")
    _send(at)
    llama = [r for r in echo.chat_requests if r.body["model"] == LLAMA]
    qwen = [r for r in echo.chat_requests if r.body["model"] == QWEN]
    assert len(llama) == 2
    assert all(len(r.body["messages"][-1]["content"]) == 2 for r in llama)
    assert len(qwen[0].body["messages"][-1]["content"]) == 3
    assert _shows(at, "Image 1: a.png")
    assert _shows(at, "Image 2: b.jpg")


@pytest.mark.parametrize(
    ("mode", "sent_as", "card"),
    [
        ("check", "data:", "Sent inline: the URL points to this machine"),
        ("inline", "data:", "Fetched and checked here; sent inline"),
        ("as_is", "http://", "Sent as the URL without checking"),
    ],
)
def test_url_modes_decide_what_the_provider_receives(app, echo, monkeypatch, mode, sent_as, card):
    monkeypatch.setenv("VISION_ALLOW_LOOPBACK_URLS", "1")
    with serve_images({"/cat.png": (make_image("PNG", (560, 560)), "image/png")}) as base:
        at = app()
        at.text_area(key="image_urls").set_value(f"{base}/cat.png").run()
        at.selectbox(key="url_mode").set_value(mode).run()
        assert _shows(at, card)
        _send(at)
    assert len(echo.chat_requests) == 2
    for request in echo.chat_requests:
        url = request.body["messages"][-1]["content"][1]["image_url"]["url"]
        assert url.startswith(sent_as)
        if sent_as == "http://":
            assert url == f"{base}/cat.png"
