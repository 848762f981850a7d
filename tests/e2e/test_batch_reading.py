"""The Batch page in Chromium at 1440, 1100 and 390 px: a click on a row of the results grid
reads that image's answers whole below it, and a new tab offers the newest batch; neither cuts
a button's or a line's text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.batch_browser import open_batch_with_images
from tests.support.clipping import clipped_text
from tests.support.images import make_image, make_photo
from tests.support.look import IDLE, WIDTHS

pytestmark = pytest.mark.e2e

READER = ".st-key-batch_item_answers"
OFFER = ".st-key-batch_offer"


def _whole_at_each_width(page: Page, within: str) -> None:
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_selector(IDLE, timeout=30_000)
        expect(page.locator(within)).to_be_visible()
        cut = clipped_text(page, within=(within,))
        assert not cut, f"{within} at {width} px: " + "; ".join(map(str, cut))


def test_a_grid_row_click_reads_its_answers_whole_and_a_new_tab_offers_the_batch(
    page: Page, running_app: Any
) -> None:
    open_batch_with_images(
        page,
        running_app.url,
        900,
        ("harbour.jpg", "image/jpeg", make_photo((900, 700))),
        ("chart.png", "image/png", make_image("PNG", (640, 480))),
    )
    expect(page.get_by_text("2 images × 2 models = 4 requests")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Run batch").click()
    expect(page.get_by_text(re.compile(r"4 answered"))).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    expect(page.locator(READER)).to_have_count(0)

    # The grid is a canvas: its second row's selection box sits at its left edge.
    grid = page.locator(".st-key-batch_grid [data-testid='stDataFrameResizable']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    header, row = 35, 72  # Streamlit's header height; the grid's row_height
    page.mouse.click(box["x"] + 12, box["y"] + header + row + row / 2)
    expect(page.locator(READER)).to_contain_text("chart.png", timeout=20_000)
    expect(page.locator(READER)).to_contain_text("Qwen2-VL-7B-Instruct")
    expect(page.locator(READER)).to_contain_text("echo backend")
    _whole_at_each_width(page, READER)

    fresh = page.context.new_page()
    fresh.set_viewport_size({"width": 1440, "height": 900})
    fresh.goto(f"{running_app.url}/batch")
    fresh.wait_for_selector(IDLE, timeout=30_000)
    expect(fresh.locator(OFFER)).to_contain_text("“What is in this image?”")
    _whole_at_each_width(fresh, OFFER)
    fresh.get_by_role("button", name="Open the last batch").click()
    expect(fresh.get_by_text(re.compile(r"4 answered · batch `?\w+"))).to_be_visible(timeout=30_000)
    expect(fresh.locator(OFFER)).to_have_count(0)


def test_with_repeats_a_click_on_a_later_repeats_row_reads_every_repeat_of_its_image(
    page: Page, running_app: Any
) -> None:
    open_batch_with_images(
        page,
        running_app.url,
        900,
        ("first.png", "image/png", make_image("PNG", (64, 48))),
        ("second.png", "image/png", make_image("PNG", (48, 64))),
    )
    repeats = page.get_by_role("spinbutton", name="Repeat each item")
    repeats.fill("2")
    repeats.press("Enter")
    expect(page.get_by_text("2 images × 2 models × 2 repeats = 8 requests")).to_be_visible(
        timeout=20_000
    )
    page.get_by_role("button", name="Run batch").click()
    expect(page.get_by_text(re.compile(r"8 answered"))).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=30_000)

    # Rows: first.png repeat 1 and 2, then second.png repeat 1 and 2. The fourth row is the
    # second image's (the grid's row is an image's repeat, the reader's choice an image).
    grid = page.locator(".st-key-batch_grid [data-testid='stDataFrameResizable']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    header, row = 35, 72
    page.mouse.click(box["x"] + 12, box["y"] + header + 3 * row + row / 2)
    reader = page.locator(READER)
    expect(reader).to_contain_text("second.png", timeout=20_000)
    expect(reader.get_by_text("Repeat 2")).to_have_count(2)  # one per model
    _whole_at_each_width(page, READER)
