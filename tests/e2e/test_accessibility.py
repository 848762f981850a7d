"""In a real browser: the controls a screen reader announces have names, images have alt text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.images import make_photo

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def test_buttons_are_named_by_what_they_do_and_thumbnails_say_what_they_show(
    page: Page, running_app
):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(running_app.url)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": make_photo((900, 700))}]
    )
    expect(page.get_by_text("JPEG · 900×700")).to_be_visible()
    expect(page.get_by_role("button", name="Remove", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Refresh", exact=False)).to_be_visible()
    names = page.locator("button").evaluate_all(
        "buttons => buttons.map(b => (b.innerText || b.getAttribute('aria-label') || '').trim())"
    )
    assert not [name for name in names if name.endswith("icon") or name in ("close", "refresh")]
    expect(page.get_by_role("img", name="Thumbnail of harbour.jpg")).to_be_visible()
