"""In a real browser: every page's every request goes to the app itself, nowhere else."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.images import make_photo

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def test_no_page_asks_anything_of_another_host(page: Page, running_app):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 1400, "height": 1100})
    for path in ("/", "/batch", "/history"):
        page.goto(running_app.url + path)
        page.wait_for_selector(IDLE, timeout=30_000)
    page.goto(running_app.url)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make_photo((700, 600))}]
    )
    expect(page.get_by_text("JPEG · 700×600")).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    elsewhere = [
        url for url in requested if not url.startswith((running_app.url, "data:", "blob:"))
    ]
    assert elsewhere == []
    assert any(url.endswith(".png") or "favicon" in url for url in requested)
