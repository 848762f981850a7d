"""The app's look in Chromium, light and dark, at 1440, 1100 and 390 px: the theme follows the
system (and the menu's choice), no text of the shared parts (sidebar, model picker, charts,
tabs) is cut or ellipsized, and no text anywhere on the page reads under 4.5:1."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.images import make_image, make_photo
from tests.support.look import IDLE, at_each_width, open_in, theme_background
from tests.support.models import QWEN25
from tests.support.schemes import SCHEMES, Scheme, background, use_scheme

pytestmark = pytest.mark.e2e


def _chart_text(page: Page) -> list[str]:
    texts: list[str] = page.locator("[data-testid='stVegaLiteChart'] svg text").all_text_contents()
    return texts


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_playground_with_three_models_chosen_reads_whole_at_every_width(
    page: Page, running_app: Any, scheme: Scheme
) -> None:
    open_in(page, running_app.url, scheme)
    picker = page.get_by_test_id("stMultiSelect").first
    picker.get_by_role("button", name="Open").click()
    page.get_by_role("option", name=QWEN25.split("/")[-1], exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_selector(IDLE, timeout=30_000)
    expect(picker.locator("[data-tag]")).to_have_count(3)
    at_each_width(page, scheme, "playground")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_batch_pages_results_votes_and_charts_read_whole_at_every_width(
    page: Page, running_app: Any, scheme: Scheme
) -> None:
    open_in(page, f"{running_app.url}/batch", scheme)
    page.locator("[data-testid='stFileUploaderDropzoneInput'][multiple]").first.set_input_files(
        files=[
            {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": make_photo((900, 700))},
            {"name": "chart.png", "mimeType": "image/png", "buffer": make_image("PNG", (640, 480))},
        ]
    )
    expect(page.get_by_text("2 images × 2 models = 4 requests")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Run batch").click()
    expect(page.get_by_text(re.compile(r"4 answered"))).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_role("tab", name="Blind vote").click()
    page.get_by_role("button", name="A is better").click()
    expect(page.get_by_text(re.compile(r"1 vote\(s\)"))).to_be_visible(timeout=20_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    # The leaderboard's three charts, drawn as text a browser can measure (and a reader find).
    expect(page.get_by_test_id("stVegaLiteChart").filter(visible=True)).to_have_count(3)
    assert {"Llama-3.2-90B-Vision", "Qwen2-VL-7B", "win rate"} <= set(_chart_text(page))
    at_each_width(page, scheme, "batch-votes")
    page.get_by_role("tab", name="Results").click()
    page.wait_for_selector(IDLE, timeout=30_000)
    at_each_width(page, scheme, "batch-results", sidebar=False)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_history_with_a_run_in_it_reads_whole_at_every_width(
    page: Page, running_app: Any, scheme: Scheme
) -> None:
    open_in(page, running_app.url, scheme)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.goto(f"{running_app.url}/history")  # the run is in the history, whoever's tab it was
    expect(page.get_by_role("heading", name="History")).to_be_visible(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    use_scheme(page, scheme)
    at_each_width(page, scheme, "history")


def test_the_menus_choice_of_dark_holds_over_a_light_system_until_system_is_chosen_again(
    page: Page, running_app: Any
) -> None:
    open_in(page, running_app.url, "light")
    page.get_by_test_id("stMainMenuButton").click()
    page.get_by_test_id("stMainMenuItem-theme-Dark").click()
    page.wait_for_function(
        "c => getComputedStyle(document.querySelector(\"[data-testid='stApp']\"))"
        ".backgroundColor === c",
        arg=_rgb(theme_background("dark")),
    )
    page.reload()
    page.wait_for_selector(IDLE, timeout=30_000)
    assert background(page) == theme_background("dark")  # the choice outlives a reload
    page.get_by_test_id("stMainMenuButton").click()
    page.get_by_test_id("stMainMenuItem-theme-System").click()
    use_scheme(page, "light")
    assert background(page) == theme_background("light")


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"
