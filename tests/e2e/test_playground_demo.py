"""The Playground as someone giving a demo uses it, in a real Chromium: every card's buttons fit
at 1440, 1100 (sidebar open) and 390 px; Stop answers a real mouse click while answers stream,
with one Send on the page; the cards give way to a strip whose thumbnails open large; Copy,
paste and drop; uploads through a page switch; Locate's boxes on the photo; screenshots."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.apps import ARTIFACTS
from tests.support.clipping import clipped_buttons
from tests.support.image_server import serve_images
from tests.support.images import make_image, make_photo
from tests.support.shapes import circle, rectangle, shapes_image
from tests.support.shortcuts import wait_for_shortcuts
from vision.echo import Fault

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
UPLOADER = "stFileUploaderDropzoneInput"
PHOTO = make_photo((1600, 1200))
RECEIPT = make_image("PNG", (600, 2200))
SHAPES = shapes_image(
    (1600, 1200), [rectangle("red", 200, 300, 600, 700), circle("blue", 1000, 200, 1300, 500)]
)
# The widths a person tried: a laptop and a small one (the sidebar open), and a phone.
WIDTHS = [(1440, 900, True), (1100, 800, True), (390, 844, False)]


def _open(page: Page, app: Any, width: int, height: int, *, sidebar: bool = False) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(app.url)
    page.wait_for_selector(IDLE, timeout=30_000)
    if sidebar:
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.get_by_test_id("stSidebar")).to_be_visible()


def _upload(page: Page, *files: tuple[str, str, bytes]) -> None:
    page.get_by_test_id(UPLOADER).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data} for name, mime, data in files]
    )


def _idle(page: Page) -> None:
    page.wait_for_selector(IDLE, timeout=60_000)


def _slow_click(page: Page, selector: str) -> None:
    """A person's click: the press, a moment, the release, at the element's centre."""
    target = page.locator(selector).first
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    assert box is not None, selector
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    time.sleep(0.3)
    page.mouse.up()


@pytest.mark.parametrize(("width", "height", "sidebar"), WIDTHS, ids=["1440", "1100", "390"])
def test_every_cards_buttons_and_sentences_fit(page: Page, running_app, width, height, sidebar):
    _open(page, running_app, width, height, sidebar=sidebar)
    _upload(page, ("harbour.jpg", "image/jpeg", PHOTO), ("receipt.png", "image/png", RECEIPT))
    expect(page.get_by_text("PNG · 600×2200")).to_be_visible()
    with serve_images({"/street.webp": (make_photo((1280, 960), "WEBP"), "image/webp")}) as base:
        urls = page.get_by_label("Image URLs")
        urls.fill(f"{base}/street.webp\nhttps://example.com/a/rather/long/path/missing.jpg")
        urls.press("Tab")
        expect(page.get_by_text("WEBP · 1280×960")).to_be_visible(timeout=20_000)
        _idle(page)
    removes = page.locator("[class*='st-key-card-'] button", has_text="Remove").filter(visible=True)
    expect(removes).to_have_count(4)
    for remove in removes.all():
        remove.scroll_into_view_if_needed()
        expect(remove).to_be_in_viewport()
    assert clipped_buttons(page) == []
    # A card's error reads across the card, not a word a line.
    card = page.locator("[class*='st-key-card-']").filter(has=page.get_by_test_id("stAlert")).first
    error = card.get_by_test_id("stAlert").first
    error_box, card_box = error.bounding_box(), card.bounding_box()
    assert error_box is not None
    assert card_box is not None
    assert error_box["width"] >= 0.8 * card_box["width"] - 40
    # The preflight table keeps each model's name on one line.
    page.get_by_text("Preflight: every image as each model receives it").click()
    cell = page.locator(".st-key-preflight-details td").first
    expect(cell).to_be_visible()
    assert cell.evaluate("c => getComputedStyle(c).whiteSpace") == "nowrap"
    assert clipped_buttons(page) == []


def test_a_real_click_on_stop_while_answers_stream_stops_that_model(page: Page, running_app):
    _open(page, running_app, 1440, 1000)
    _upload(page, ("harbour.jpg", "image/jpeg", PHOTO))
    expect(page.get_by_text("JPEG · 1600×1200")).to_be_visible()
    _idle(page)
    running_app.echo.add_fault(Fault(kind="slow", token_delay_s=0.25, times=2))
    page.get_by_role("button", name="Send").click()
    stop = "[class*='st-key-stop-one-'] button"
    expect(page.locator(stop).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"\[echo backend.*▍")).first).to_be_visible()
    # While they stream: one Send on the page, and a click on Parameters opens it.
    expect(page.get_by_role("button", name=re.compile("Send"))).to_have_count(1)
    _slow_click(page, "[data-testid='stPopover'] button")
    expect(page.get_by_label("System prompt")).to_be_visible()
    page.keyboard.press("Escape")
    _slow_click(page, stop)
    expect(page.get_by_text("Stopped as you asked")).to_have_count(1, timeout=10_000)
    expect(page.get_by_text("finish: stop", exact=True)).to_have_count(1, timeout=30_000)
    expect(page.get_by_text("finish: stopped", exact=True)).to_have_count(1)
    _idle(page)
    expect(page.locator(".st-key-send button")).to_be_enabled()


def test_the_cards_give_way_to_a_strip_and_a_thumbnail_opens_large(page: Page, running_app):
    _open(page, running_app, 1440, 900)
    _upload(
        page,
        ("harbour.jpg", "image/jpeg", PHOTO),
        ("receipt.png", "image/png", RECEIPT),
        ("chart.png", "image/png", make_image("PNG", (820, 640))),
    )
    expect(page.get_by_text("PNG · 820×640")).to_be_visible()
    _idle(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    _idle(page)
    expect(page.locator("[class*='st-key-card-']")).to_have_count(0)
    # The answers are in view without scrolling past the images.
    answer = page.get_by_text(re.compile("received the prompt")).first
    box = answer.bounding_box()
    assert box is not None
    assert box["y"] < 900, "the first answer is below the fold"
    page.get_by_role("button", name="See 2. receipt.png large").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    picture = dialog.get_by_role("img")
    expect(picture).to_be_visible()
    size = picture.bounding_box()
    assert size is not None
    assert size["height"] > 300  # large, not the thumbnail
    page.keyboard.press("Escape")
    page.get_by_text("Image details").click()
    expect(page.locator("[class*='st-key-card-']")).to_have_count(3)


def test_copy_puts_an_answer_on_the_clipboard(page: Page, running_app):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _open(page, running_app, 1440, 1000)
    wait_for_shortcuts(page)
    page.get_by_label("Prompt").fill("Copy me, please.")
    page.get_by_label("Prompt").press("Control+Enter")
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    _idle(page)
    page.get_by_role("button", name="Copy this answer").first.click()
    expect(page.get_by_text("Copied").first).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "received the prompt “Copy me, please.”" in copied


def _file_js(name: str, mime: str, data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f"new File([Uint8Array.from(atob('{encoded}'), c => c.charCodeAt(0))], "
        f"'{name}', {{type: '{mime}'}})"
    )


def test_an_image_pasted_into_the_prompt_or_dropped_anywhere_gets_a_card(page: Page, running_app):
    _open(page, running_app, 1440, 1000)
    expect(page.get_by_text("Drop images anywhere on this page")).to_be_visible()
    page.get_by_label("Prompt").click()
    page.evaluate(
        f"""() => {{
          const data = new DataTransfer();
          data.items.add({_file_js("image.png", "image/png", make_image("PNG", (640, 520)))});
          const prompt = document.querySelector("textarea[aria-label='Prompt']");
          prompt.dispatchEvent(new ClipboardEvent("paste", {{clipboardData: data,
            bubbles: true, cancelable: true}}));
        }}"""
    )
    expect(page.get_by_text("PNG · 640×520")).to_be_visible(timeout=20_000)
    _idle(page)
    page.evaluate(
        f"""() => {{
          const data = new DataTransfer();
          data.items.add({_file_js("dropped.jpg", "image/jpeg", make_photo((700, 500)))});
          const target = document.querySelector("h1");
          for (const type of ["dragenter", "dragover"]) {{
            target.dispatchEvent(new DragEvent(type, {{dataTransfer: data, bubbles: true,
              cancelable: true}}));
          }}
        }}"""
    )
    expect(page.get_by_text("Drop images to add them")).to_be_visible()
    page.evaluate(
        f"""() => {{
          const data = new DataTransfer();
          data.items.add({_file_js("dropped.jpg", "image/jpeg", make_photo((700, 500)))});
          document.querySelector("h1").dispatchEvent(new DragEvent("drop",
            {{dataTransfer: data, bubbles: true, cancelable: true}}));
        }}"""
    )
    expect(page.get_by_text("JPEG · 700×500")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Drop images to add them")).to_be_hidden()
    expect(page.get_by_text(re.compile(r"^2\. dropped\.jpg$"))).to_be_visible()


def test_uploads_stay_when_you_visit_another_page_and_come_back(page: Page, running_app):
    _open(page, running_app, 1440, 1000, sidebar=True)
    _upload(page, ("harbour.jpg", "image/jpeg", PHOTO))
    expect(page.get_by_text("JPEG · 1600×1200")).to_be_visible()
    _idle(page)
    page.get_by_role("link", name="History").click()
    _idle(page)
    page.get_by_role("link", name="Playground").click()
    _idle(page)
    expect(page.get_by_text("JPEG · 1600×1200")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()


@pytest.mark.parametrize(("width", "height"), [(1440, 1700), (390, 2400)], ids=["1440", "390"])
def test_two_models_answers_and_their_boxes_on_the_photo(page: Page, running_app, width, height):
    _open(page, running_app, width, height)
    _upload(page, ("harbour.jpg", "image/jpeg", PHOTO))
    expect(page.get_by_text("JPEG · 1600×1200")).to_be_visible()
    _idle(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    _idle(page)
    assert clipped_buttons(page) == []
    page.screenshot(path=str(ARTIFACTS / f"playground-answers-{width}.png"), full_page=True)

    _open(page, running_app, width, height)  # a new tab: Locate in a photo of shapes
    _upload(page, ("shapes.png", "image/png", SHAPES))
    expect(page.get_by_text("PNG · 1600×1200")).to_be_visible()
    page.get_by_text("Locate", exact=True).click()
    _idle(page)
    page.get_by_label("What to find").fill("the red rectangle")
    page.get_by_label("What to find").press("Tab")
    _idle(page)
    page.get_by_role("button", name="Send").click()
    for model in ("Llama-3.2-90B-Vision", "Qwen2-VL-7B"):
        expect(page.get_by_role("img", name=f"{model}'s boxes on shapes.png")).to_be_visible(
            timeout=30_000
        )
    expect(page.get_by_text("red rectangle: box [200, 300, 600, 700] px")).to_have_count(2)
    _idle(page)
    assert clipped_buttons(page) == []
    page.screenshot(path=str(ARTIFACTS / f"playground-boxes-{width}.png"), full_page=True)
    for name in (f"playground-answers-{width}.png", f"playground-boxes-{width}.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
