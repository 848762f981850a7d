"""The Playground's images through AppTest: cards, limits, URLs, camera, preview, Llama modes."""

from __future__ import annotations

from typing import Any

import PIL.Image
import pytest
from streamlit.testing.v1 import AppTest

import ui.playground.preview
import vision
import vision.chat.preparation
from tests.support.image_server import serve_images
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from tests.support.pages import (
    page_dump as _page_dump,
    shows as _shows,
    texts as _texts,
    walk as _walk,
)
from tests.support.playground_page import send as _send, upload as _upload


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


def test_an_upload_is_prepared_once_per_model_not_on_every_rerun(app, monkeypatch):
    calls: list[str | None] = []
    real = vision.prepare_image

    def counting(data: bytes, **kwargs: Any) -> Any:
        calls.append(kwargs.get("model"))
        return real(data, **kwargs)

    monkeypatch.setattr(vision.chat.preparation, "prepare_image", counting)
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


def test_the_preview_shows_each_models_pixels_at_one_to_one(app):
    at = app()
    _upload(at, ("photo.jpg", make_photo((2400, 1800)), "image/jpeg"))
    at.button(key="preview:" + _first_file_id(at)).click().run()
    assert not at.exception
    assert _shows(at, "**Llama-3.2-90B-Vision**: 1120×840 px")
    assert _shows(at, "**Qwen2-VL-7B**: 1148×840 px")
    assert _shows(at, "resized 2400×1800 to 1120×840")
    [dialog] = [node for node in _walk(at._tree) if getattr(node, "type", None) == "dialog"]
    assert (
        dialog.proto.dialog.pixel_width == 1148 + ui.playground.preview.DIALOG_MARGIN_PX
    )  # room for 1:1
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


def test_a_chosen_grid_is_never_swapped_for_one_request_per_image(app, echo):
    at = app()
    _upload(
        at,
        ("a.png", make_image("PNG", (600, 600)), "image/png"),
        ("b.jpg", make_photo((800, 600)), "image/jpeg"),
    )
    assert at.radio(key="llama_images").value == "stitch"
    at.text_area(key="image_urls").set_value("https://images.example/c.png").run()
    at.selectbox(key="url_mode").set_value("as_is").run()  # unchecked: no pixels to stitch
    assert at.radio(key="llama_images").value == "stitch"
    assert at.button(key="send").disabled
    assert _shows(at, "Stitching needs every image's pixels, and 1 URL image is sent unchecked")
    assert _shows(at, "one request per image makes 3 requests")
    at.text_area(key="image_urls").set_value("").run()
    assert at.radio(key="llama_images").value == "stitch"
    assert not at.button(key="send").disabled
    assert _shows(at, "grid of 2 images.png")
    assert not echo.chat_requests


def test_the_chosen_llama_mode_comes_back_with_several_images_again(app):
    at = app()
    two = (
        ("a.png", make_image("PNG", (600, 600)), "image/png"),
        ("b.jpg", make_photo((800, 600)), "image/jpeg"),
    )
    _upload(at, *two)
    at.radio(key="llama_images").set_value("per_image").run()
    _upload(at, two[0])  # one image: nothing to choose
    assert not [radio for radio in at.radio if radio.key == "llama_images"]
    _upload(at, *two)
    assert at.radio(key="llama_images").value == "per_image"


def test_the_stitched_grid_can_be_seen_before_sending(app, echo):
    at = app()
    _upload(
        at,
        ("a.png", make_image("PNG", (600, 600)), "image/png"),
        ("b.jpg", make_photo((800, 600)), "image/jpeg"),
    )
    at.button(key=f"grid_{LLAMA}").click().run()
    assert not at.exception
    [dialog] = [node for node in _walk(at._tree) if getattr(node, "type", None) == "dialog"]
    assert "one labelled grid" in dialog.proto.dialog.title
    assert len([node for node in _walk(dialog) if getattr(node, "type", None) == "image"]) == 1
    assert not echo.chat_requests


def test_a_removed_upload_is_said_to_stay_in_the_uploader_and_can_be_put_back(app):
    at = app()
    _upload(
        at,
        ("a.png", make_image("PNG", (600, 600)), "image/png"),
        ("b.png", make_image("PNG", (600, 600), color=(0, 90, 0)), "image/png"),
    )
    first = _first_file_id(at)
    at.button(key="remove:" + first).click().run()
    assert _shows(at, "a.png is off the page and will not be sent; it stays in the list above")
    assert not _shows(at, "**1.** a.png")
    at.button(key="put_back:" + first.removeprefix("file:")).click().run()
    assert not _shows(at, "is off the page")
    assert _shows(at, "**1.** a.png")
