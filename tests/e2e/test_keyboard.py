"""In a real browser: Ctrl+Enter in the prompt sends, as the button's shortcut says."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.images import make_photo
from tests.support.shortcuts import wait_for_shortcuts

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def test_ctrl_enter_in_the_prompt_sends_the_prompt_just_typed(page: Page, running_app):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(running_app.url)
    page.wait_for_selector(IDLE, timeout=30_000)
    before = len(running_app.echo.chat_requests)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make_photo((700, 600))}]
    )
    expect(page.get_by_text("JPEG · 700×600")).to_be_visible()
    wait_for_shortcuts(page)
    prompt = page.get_by_label("Prompt")
    prompt.fill("Count the boats, then stop.")
    prompt.press("Control+Enter")
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    sent = running_app.echo.chat_requests[before:]
    assert len(sent) == 2
    assert all(
        request.body["messages"][-1]["content"][0]["text"] == "Count the boats, then stop."
        for request in sent
    )
