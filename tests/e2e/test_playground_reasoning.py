"""A reasoning model on the Playground, in a real Chromium: its thinking is folded under the
answer with its token count, opens on a click, and the usage row splits reasoning from answer
tokens; screenshots at 1440 px and on a phone, folded and open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.apps import ARTIFACTS
from tests.support.clipping import clipped_buttons
from tests.support.images import make_photo
from tests.support.models import LLAMA, REASONING

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _idle(page: Page) -> None:
    page.wait_for_selector(IDLE, timeout=60_000)


def _choose_models(page: Page, *names: str) -> None:
    """Clear the picker, then choose each model by typing its short name and pressing Enter."""
    picker = page.get_by_test_id("stMultiSelect").first
    picker.get_by_role("button", name="Clear all").click()
    _idle(page)
    for name in names:
        short = name.split("/")[-1]
        picker.get_by_role("combobox").fill(short)  # typed: the list narrows to that model
        expect(page.get_by_role("option")).to_have_text([short])
        page.keyboard.press("Enter")
        expect(picker.locator("[data-tag]", has_text=short)).to_be_visible()
        page.keyboard.press("Escape")
        _idle(page)
    expect(picker.locator("[data-tag]")).to_have_count(len(names))


@pytest.mark.parametrize(("width", "height"), [(1440, 1300), (390, 2200)], ids=["1440", "390"])
def test_a_reasoning_models_thinking_is_folded_under_its_answer(
    page: Page, running_app: Any, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(running_app.url)
    _idle(page)
    _choose_models(page, REASONING, LLAMA)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": make_photo((1200, 900))}]
    )
    expect(page.get_by_text("JPEG · 1200×900")).to_be_visible()
    _idle(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=60_000)
    _idle(page)

    fold = page.get_by_test_id("stExpander").filter(
        has_text=re.compile(r"Reasoning · [\d,]+ tokens")
    )
    expect(fold).to_have_count(1)
    tokens = re.search(r"([\d,]+) tokens", fold.inner_text())
    assert tokens is not None
    # The usage row names the same reasoning tokens apart from the answer's.
    expect(page.get_by_text(f"{tokens.group(1)} reasoning")).to_be_visible()
    expect(page.get_by_text(re.compile(r"[\d,]+ answer"))).to_be_visible()
    expect(page.get_by_text("first answer token", exact=False)).to_be_visible()
    details = fold.locator("details")
    assert details.get_attribute("open") is None, "the reasoning starts folded"
    assert clipped_buttons(page) == []
    page.screenshot(path=str(ARTIFACTS / f"playground-reasoning-{width}.png"), full_page=True)

    fold.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    thinking = fold.get_by_text("Step 1: look again at image 1.")
    expect(thinking).to_be_visible()
    expect(fold.get_by_text("Deliberating at", exact=False)).to_be_visible()
    # The fold slides open; the screenshot waits until the thinking has its full height.
    page.wait_for_function(
        "el => el.getBoundingClientRect().height > 0 && !el.getAnimations({subtree: true}).length",
        arg=details.element_handle(),
    )
    # The answer itself is the answer alone: the thinking is only in the fold.
    answer = page.get_by_text(re.compile(r"moonshotai/Kimi-K2.6 received the prompt"))
    expect(answer).not_to_contain_text("Step 1")
    page.screenshot(path=str(ARTIFACTS / f"playground-reasoning-open-{width}.png"), full_page=True)
