"""In a real browser: an answer's image is a link, never a fetch; downloads always arrive."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.collector import collector
from tests.support.images import make_photo

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _open(page: Page, app: Any, path: str = "") -> None:
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(app.url + path)
    page.wait_for_selector(IDLE, timeout=30_000)


def test_an_image_in_an_answer_is_shown_as_a_link_and_never_fetched(page: Page, running_app):
    with collector() as (base, seen):
        bait = f"{base}/pixel.gif?data=the-secret-the-image-told-me"
        _open(page, running_app)
        prompt = page.get_by_label("Prompt")
        prompt.fill(f"Describe it. ![x]({bait})")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[
                {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make_photo((700, 600))}
            ]
        )
        expect(page.get_by_text("JPEG · 700×600")).to_be_visible()
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
        page.wait_for_selector(IDLE, timeout=30_000)
        # Each answer quotes the prompt: its image is a link a person may open, not an image.
        links = page.locator(f"a[href^='{base}']")
        expect(links.first).to_be_visible()
        assert page.locator(f"img[src^='{base}']").count() == 0
        page.goto(running_app.url + "/history")
        page.wait_for_selector(IDLE, timeout=30_000)
        expect(page.get_by_text("Describe it.").first).to_be_visible()
        assert page.locator(f"img[src^='{base}']").count() == 0
        page.wait_for_timeout(500)  # time for any stray fetch to arrive
    assert seen == []


def test_two_downloads_in_a_row_both_arrive(page: Page, running_app, tmp_path):
    _open(page, running_app)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make_photo((700, 600))}]
    )
    expect(page.get_by_text("JPEG · 700×600")).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.goto(running_app.url + "/history")
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_text(re.compile(r"Export these \d+ answer")).click()
    expect(page.get_by_test_id("stDownloadButton").first).to_be_visible()
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    # One straight after the other, as a person exporting both would click.
    page.get_by_role("button", name="CSV", exact=True).first.click()
    page.get_by_role("button", name="JSON", exact=True).first.click()
    page.wait_for_timeout(3000)
    assert len(downloads) == 2
    suffixes = []
    for download in downloads:
        assert download.failure() is None
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.stat().st_size > 0
        suffixes.append(target.suffix)
    assert sorted(suffixes) == [".csv", ".json"]
