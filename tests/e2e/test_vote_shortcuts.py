"""In a real browser: the blind-vote shortcuts act only while the vote view is on screen, and
Undo takes the last vote back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.batch_browser import open_batch_with_images
from tests.support.images import make_image, make_photo

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _idle(page: Page) -> None:
    page.wait_for_timeout(300)  # a rerun a key or click started has begun
    page.wait_for_selector(IDLE, timeout=30_000)


def test_vote_keys_cast_nothing_off_the_vote_view_and_undo_takes_a_vote_back(
    page: Page, running_app: Any
) -> None:
    open_batch_with_images(
        page,
        running_app.url,
        1200,
        ("quay.jpg", "image/jpeg", make_photo((800, 600))),
        ("plot.png", "image/png", make_image("PNG", (640, 480))),
    )
    expect(page.get_by_text("2 images × 2 models = 4 requests")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Run batch").click()
    expect(page.get_by_text(re.compile(r"4 answered"))).to_be_visible(timeout=60_000)
    _idle(page)

    # On Results, then on Export: the vote keys do nothing.
    heading = page.get_by_role("heading", name="Batch evaluation")
    heading.click()  # the focus on the page, not in a field
    for key in ("t", "x", "ArrowLeft", "ArrowRight"):
        page.keyboard.press(key)
    _idle(page)
    page.get_by_role("tab", name="Export").click()
    _idle(page)
    heading.click()
    for key in ("ArrowLeft", "ArrowRight", "t"):
        page.keyboard.press(key)
    _idle(page)

    page.get_by_role("tab", name="Blind vote").click()
    expect(page.get_by_text("2 images left to judge", exact=False)).to_be_visible(timeout=20_000)
    expect(page.get_by_text("No votes yet", exact=False)).to_be_visible()
    _idle(page)

    # On the vote view, t casts one vote: a tie.
    heading.click()
    page.keyboard.press("t")
    expect(page.get_by_text(re.compile(r"You judged a tie\. A was"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text(re.compile(r"1 vote\(s\)"))).to_be_visible()
    expect(page.get_by_text("1 image left to judge", exact=False)).to_be_visible()
    _idle(page)

    page.get_by_role("button", name="Undo last vote").click()
    expect(page.get_by_text("Your last vote was removed", exact=False)).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_text("No votes yet", exact=False)).to_be_visible()
    expect(page.get_by_text("2 images left to judge", exact=False)).to_be_visible()
