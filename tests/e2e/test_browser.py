"""The newcomer's path in a real browser: drop two photos and a URL, send to both models."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.image_server import serve_images
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _open(page: Page, app: Any, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(app.url)
    page.wait_for_selector(IDLE, timeout=30_000)


def test_two_photos_and_a_url_go_to_both_models_and_stream_back(page: Page, running_app):
    before = len(running_app.echo.chat_requests)  # the app and its echo serve every e2e test
    _open(page, running_app, 1440, 1900)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[
            {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": make_photo((1600, 1200))},
            {"name": "chart.png", "mimeType": "image/png", "buffer": make_image("PNG", (820, 640))},
        ]
    )
    expect(page.get_by_text("harbour.jpg").last).to_be_visible()
    with serve_images({"/street.webp": (make_photo((1280, 960), "WEBP"), "image/webp")}) as base:
        urls = page.get_by_label("Image URLs")
        urls.fill(f"{base}/street.webp")
        urls.press("Tab")  # leaving the box applies it (Ctrl+Enter would also press Send)
        expect(page.get_by_text("Fetched and checked here")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("WEBP · 1280×960")).to_be_visible()
    chips = page.get_by_test_id("stMultiSelect")
    expect(chips.get_by_text("Llama-3.2-90B-Vision-Instruct")).to_be_visible()
    expect(chips.get_by_text("Qwen2-VL-7B-Instruct")).to_be_visible()

    # A double click starts one run, not two.
    page.get_by_role("button", name="Send").dblclick()
    # Streaming: part of an answer, with the typing cursor, is on the page before it ends.
    expect(page.get_by_text("The models are answering")).to_be_visible(timeout=10_000)
    expect(page.get_by_text(re.compile(r"received the prompt.*▍")).first).to_be_visible()
    # Then both answers complete, each with its usage.
    # Qwen2-VL gets the three images; Llama 3.2 one labelled grid of them (the default).
    for model, images in ((QWEN, "3 images"), (LLAMA, "1 image")):
        expect(
            page.get_by_text(re.compile(f"{re.escape(model)} received the prompt .* {images}"))
        ).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    expect(page.get_by_text("finish: stop")).to_have_count(2)
    page.wait_for_selector(IDLE, timeout=30_000)

    assert len(running_app.echo.chat_requests) == before + 2
    page.screenshot(path=str(ARTIFACTS / "playground.png"))
    if os.environ.get("VISION_UPDATE_SCREENSHOT"):  # `make screenshot`: refresh the README's
        shutil.copyfile(ARTIFACTS / "playground.png", ROOT / "docs" / "screenshot.png")


def test_the_page_works_in_a_phone_width_window(page: Page, running_app):
    _open(page, running_app, 390, 844)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make_photo((900, 700))}]
    )
    expect(page.get_by_text("JPEG · 900×700")).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    page.screenshot(path=str(ARTIFACTS / "playground-phone.png"), full_page=True)


def test_changing_a_widget_while_answers_stream_neither_stops_nor_repeats_the_run(
    page: Page, running_app
):
    _open(page, running_app, 1280, 1000)
    before = len(running_app.echo.chat_requests)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make_photo((900, 700))}]
    )
    expect(page.get_by_text("JPEG · 900×700")).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"received the prompt.*▍")).first).to_be_visible()

    prompt = page.get_by_label("Prompt")
    prompt.fill("A follow-up I am still typing")
    prompt.press("Control+Enter")  # a rerun in the middle of the stream

    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    expect(page.get_by_text(re.compile(r"“What is in this image\?” with 1 image"))).to_have_count(2)
    assert len(running_app.echo.chat_requests) == before + 2
