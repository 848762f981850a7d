"""An app page's look, checked the same way by every browser test: in the theme of the scheme
asked for, at 1440, 1100 and 390 px, with its sidebar shut and open, no text of the parts every
page shares cut or ellipsized, and no text anywhere under 4.5:1."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from typing import TypeVar

from playwright.sync_api import Locator, Page, TimeoutError as PlaywrightTimeoutError

from tests.support.apps import ARTIFACTS, ROOT
from tests.support.clipping import clipped_text
from tests.support.contrast import faint_text
from tests.support.schemes import Scheme, background, shoot, use_scheme

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
WIDTHS = ((1440, 900), (1100, 800), (390, 844))
SHOT_WIDTHS = (1440, 390)
# What every page shares, drawn by ui/shared/ and Streamlit: the sidebar, a model picker, the
# charts, the tabs.
SHARED_PARTS = (
    "[data-testid='stSidebar']",
    "[data-testid='stMultiSelect']",
    "[data-testid='stVegaLiteChart']",
    "[role='tablist']",
)
T = TypeVar("T")


def theme_background(scheme: Scheme) -> str:
    """The app's background in this scheme, as .streamlit/config.toml sets it ("#rrggbb")."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    colour: str = config["theme"][scheme]["backgroundColor"]
    return colour.lower()


def open_in(page: Page, url: str, scheme: Scheme) -> None:
    """Open the app at url, 1440 px wide, with the system in this scheme; return once it is idle
    and in the scheme's theme."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=30_000)
    use_scheme(page, scheme)


def _settled(measure: Callable[[], Sequence[T]], page: Page) -> Sequence[T]:
    """A measure taken again after a moment when it finds something: a chart redrawn after a
    resize, or a sidebar still sliding in, is not yet what a person sees."""
    found = measure()
    if found:
        page.wait_for_timeout(1_000)
        found = measure()
    return found


def looks_right(page: Page, scheme: Scheme, where: str) -> None:
    """Assert the page is in the scheme's theme, its shared parts' text is whole and none of its
    text is under 4.5:1; `where` names the page and width in the failure."""
    assert background(page) == theme_background(scheme), f"{where}: not in the {scheme} theme"
    cut = _settled(lambda: clipped_text(page, within=SHARED_PARTS), page)
    assert not cut, f"{where}: " + "; ".join(map(str, cut))
    faint = _settled(lambda: faint_text(page), page)
    assert not faint, f"{where}: " + "; ".join(map(str, faint))


_SIDEBAR = "document.querySelector(\"[data-testid='stSidebar']\")?.getBoundingClientRect()"
_SIDEBAR_SHOWN = f"({_SIDEBAR}?.left ?? -1) >= 0"
_SIDEBAR_GONE = f"({_SIDEBAR}?.right ?? 0) <= 0"


def _toggle_sidebar(page: Page, button: Locator, shown: str) -> None:
    """Press the sidebar's button until the sidebar has slid to where `shown` says: under load a
    press can land while the page redraws and go unseen (tried three times)."""
    for _ in range(3):
        try:
            if button.count():
                button.click(timeout=5_000)
            page.wait_for_function(shown, timeout=10_000)
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(f"the sidebar did not move ({shown})")


def with_sidebar_open(page: Page, scheme: Scheme, where: str) -> None:
    """Open the collapsed sidebar, check the page's look with it open, and close it again."""
    _toggle_sidebar(page, page.get_by_test_id("stExpandSidebarButton"), _SIDEBAR_SHOWN)
    looks_right(page, scheme, f"{where}, sidebar open")
    collapse = page.get_by_test_id("stSidebarCollapseButton").get_by_role("button")
    _toggle_sidebar(page, collapse, _SIDEBAR_GONE)


def at_each_width(page: Page, scheme: Scheme, name: str, *, sidebar: bool = True) -> None:
    """Check the page's look at each width, its collapsed sidebar opened too when `sidebar`;
    whole-page screenshots at 1440 and 390 px go to test-artifacts/look-NAME-SCHEME-WIDTH.png."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_selector(IDLE, timeout=30_000)
        where = f"{name} at {width} px ({scheme})"
        looks_right(page, scheme, where)
        if width in SHOT_WIDTHS:
            shoot(page, ARTIFACTS / f"look-{name}-{scheme}-{width}.png")
        if sidebar:
            with_sidebar_open(page, scheme, where)
