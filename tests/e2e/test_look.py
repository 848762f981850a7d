"""The app's look in Chromium, light and dark, at 1440, 1100 and 390 px: the theme follows the
system (and the menu's choice), no text of the shared parts (sidebar, model picker, charts,
tabs) is cut or ellipsized, and no text anywhere on the page reads under 4.5:1."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, expect

from tests.support.apps import ARTIFACTS, ROOT
from tests.support.clipping import clipped_text
from tests.support.contrast import faint_text
from tests.support.images import make_image, make_photo
from tests.support.models import QWEN25
from tests.support.schemes import SCHEMES, Scheme, background, shoot, use_scheme

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
WIDTHS = ((1440, 900), (1100, 800), (390, 844))
SHOT_WIDTHS = (1440, 390)
# What every page shares, drawn by ui/shared/ and Streamlit: their text must be whole.
SHARED_PARTS = (
    "[data-testid='stSidebar']",
    "[data-testid='stMultiSelect']",
    "[data-testid='stVegaLiteChart']",
    "[role='tablist']",
)
T = TypeVar("T")


def _theme_background(scheme: Scheme) -> str:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    colour: str = config["theme"][scheme]["backgroundColor"]
    return colour.lower()


def _settled(measure: Callable[[], Sequence[T]], page: Page) -> Sequence[T]:
    """A measure taken again after a moment when it finds something: a chart redrawn after a
    resize, or a sidebar still sliding in, is not yet what a person sees."""
    found = measure()
    if found:
        page.wait_for_timeout(1_000)
        found = measure()
    return found


def _looks_right(page: Page, scheme: Scheme, where: str) -> None:
    assert background(page) == _theme_background(scheme), f"{where}: not in the {scheme} theme"
    cut = _settled(lambda: clipped_text(page, within=SHARED_PARTS), page)
    assert not cut, f"{where}: " + "; ".join(map(str, cut))
    faint = _settled(lambda: faint_text(page), page)
    assert not faint, f"{where}: " + "; ".join(map(str, faint))


def _with_sidebar_open(page: Page, scheme: Scheme, where: str) -> None:
    page.get_by_test_id("stExpandSidebarButton").click()
    page.wait_for_function(
        "document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect().left >= 0"
    )
    _looks_right(page, scheme, f"{where}, sidebar open")
    page.get_by_test_id("stSidebarCollapseButton").get_by_role("button").click()


def _at_each_width(page: Page, scheme: Scheme, name: str, *, sidebar: bool = True) -> None:
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_selector(IDLE, timeout=30_000)
        where = f"{name} at {width} px ({scheme})"
        _looks_right(page, scheme, where)
        if width in SHOT_WIDTHS:
            shoot(page, ARTIFACTS / f"look-{name}-{scheme}-{width}.png")
        if sidebar:
            _with_sidebar_open(page, scheme, where)


def _open(page: Page, url: str, scheme: Scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=30_000)
    use_scheme(page, scheme)


def _chart_text(page: Page) -> list[str]:
    texts: list[str] = page.locator("[data-testid='stVegaLiteChart'] svg text").all_text_contents()
    return texts


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_playground_with_three_models_chosen_reads_whole_at_every_width(
    page: Page, running_app: Any, scheme: Scheme
) -> None:
    _open(page, running_app.url, scheme)
    picker = page.get_by_test_id("stMultiSelect").first
    picker.get_by_role("button", name="Open").click()
    page.get_by_role("option", name=QWEN25.split("/")[-1], exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_selector(IDLE, timeout=30_000)
    expect(picker.locator("[data-tag]")).to_have_count(3)
    _at_each_width(page, scheme, "playground")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_batch_pages_results_votes_and_charts_read_whole_at_every_width(
    page: Page, running_app: Any, scheme: Scheme
) -> None:
    _open(page, f"{running_app.url}/batch", scheme)
    page.locator("[data-testid='stFileUploaderDropzoneInput'][multiple]").first.set_input_files(
        files=[
            {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": make_photo((900, 700))},
            {"name": "chart.png", "mimeType": "image/png", "buffer": make_image("PNG", (640, 480))},
        ]
    )
    expect(page.get_by_text("2 image(s) × 2 model(s) = 4 requests")).to_be_visible(timeout=20_000)
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
    _at_each_width(page, scheme, "batch-votes")
    page.get_by_role("tab", name="Results").click()
    page.wait_for_selector(IDLE, timeout=30_000)
    _at_each_width(page, scheme, "batch-results", sidebar=False)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_history_with_a_run_in_it_reads_whole_at_every_width(
    page: Page, running_app: Any, scheme: Scheme
) -> None:
    _open(page, running_app.url, scheme)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.goto(f"{running_app.url}/history")  # the run is in the history, whoever's tab it was
    expect(page.get_by_role("heading", name="History")).to_be_visible(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    use_scheme(page, scheme)
    _at_each_width(page, scheme, "history")


def test_the_menus_choice_of_dark_holds_over_a_light_system_until_system_is_chosen_again(
    page: Page, running_app: Any
) -> None:
    _open(page, running_app.url, "light")
    page.get_by_test_id("stMainMenuButton").click()
    page.get_by_test_id("stMainMenuItem-theme-Dark").click()
    page.wait_for_function(
        "c => getComputedStyle(document.querySelector(\"[data-testid='stApp']\"))"
        ".backgroundColor === c",
        arg=_rgb(_theme_background("dark")),
    )
    page.reload()
    page.wait_for_selector(IDLE, timeout=30_000)
    assert background(page) == _theme_background("dark")  # the choice outlives a reload
    page.get_by_test_id("stMainMenuButton").click()
    page.get_by_test_id("stMainMenuItem-theme-System").click()
    use_scheme(page, "light")
    assert background(page) == _theme_background("light")


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"
