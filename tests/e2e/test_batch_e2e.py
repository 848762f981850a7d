"""The evaluation path in a real browser: a batch of three images on both models, then a vote."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.images import make_image, make_photo

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def test_a_batch_of_three_images_on_both_models_fills_the_grid_and_takes_a_vote(
    page: Page, running_app: Any
) -> None:
    warnings: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type in ("warning", "error")
            and "vega" in message.text.lower()
            and warnings.append(message.text)
        ),
    )
    page.set_viewport_size({"width": 1440, "height": 1400})
    page.goto(f"{running_app.url}/batch")
    page.wait_for_selector(IDLE, timeout=30_000)
    expect(page.get_by_role("heading", name="Batch evaluation")).to_be_visible()
    before = len(running_app.echo.chat_requests)

    # The Images uploader, the one that takes several files (the CSV one beside it takes one).
    page.locator("[data-testid='stFileUploaderDropzoneInput'][multiple]").first.set_input_files(
        files=[
            {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": make_photo((900, 700))},
            {"name": "chart.png", "mimeType": "image/png", "buffer": make_image("PNG", (640, 480))},
            {
                "name": "note.webp",
                "mimeType": "image/webp",
                "buffer": make_photo((600, 800), "WEBP"),
            },
        ]
    )
    expect(page.get_by_text("3 images × 2 models = 6 requests")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Run batch").click()

    # The progress panel redraws on its own while the answers come in.
    expect(page.get_by_text(re.compile(r"\d of 6 answers"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text(re.compile(r"6 answered"))).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.wait_for_selector(IDLE, timeout=30_000)
    assert len(running_app.echo.chat_requests) == before + 6
    page.screenshot(path=str(ARTIFACTS / "batch.png"), full_page=True)

    page.get_by_role("tab", name="Blind vote").click()
    expect(page.get_by_text("Answer A")).to_be_visible()
    expect(page.get_by_text("Answer B")).to_be_visible()
    page.get_by_role("button", name="A is better").click()
    expect(page.get_by_text(re.compile(r"You judged A was better\. A was"))).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_text(re.compile(r"1 vote\(s\)"))).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "batch-vote.png"), full_page=True)
    # The charts ask Vega for nothing it warns about.
    assert warnings == []
