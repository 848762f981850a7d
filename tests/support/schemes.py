"""Light and dark in Chromium: tell a page the system is in one colour scheme or the other (as
`prefers-color-scheme` reports it), wait until the page has followed, and screenshot it in both.

Works for any page whose background follows the scheme: the app (its background is
[data-testid='stApp']'s) and the HTML reports (the body's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from playwright.sync_api import Page

Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")

# The colour the page paints behind everything, as "#rrggbb", and how dark it is (0 to 1).
_BACKGROUND = """
() => {
  const painted = document.querySelector("[data-testid='stApp']") || document.body;
  const [r, g, b] = getComputedStyle(painted).backgroundColor.match(/[\\d.]+/g).map(Number);
  const channel = c => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return {
    hex: '#' + [r, g, b].map(c => Math.round(c).toString(16).padStart(2, '0')).join(''),
    luminance: 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b),
  };
}
"""
_FOLLOWED = f"""
scheme => {{
  const {{luminance}} = ({_BACKGROUND})();
  return scheme === 'dark' ? luminance < 0.2 : luminance > 0.5;
}}
"""


def background(page: Page) -> str:
    """The page's background colour as Chromium computed it, "#rrggbb"."""
    painted: dict[str, str] = page.evaluate(_BACKGROUND)
    return painted["hex"]


def use_scheme(page: Page, scheme: Scheme, *, timeout_ms: float = 10_000) -> None:
    """Report this scheme as the system's to the page, and return once its background has
    followed (dark under a luminance of 0.2, light over 0.5)."""
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function(_FOLLOWED, arg=scheme, timeout=timeout_ms)


def current_scheme(page: Page) -> Scheme:
    """The scheme the page is told the system is in."""
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    return "dark" if dark else "light"


# How tall the page's content is: a Streamlit app scrolls inside its main area, not the window.
_CONTENT_HEIGHT = """
() => Math.max(
  document.documentElement.scrollHeight,
  ...[...document.querySelectorAll("[data-testid='stMain'], [data-testid='stSidebarContent']")]
    .map(scroller => scroller.scrollHeight))
"""


def shoot(page: Page, path: Path) -> Path:
    """A screenshot of the whole page, an app's scrolling main area included (the window is
    made as tall as the content for the shot, then given back its height)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    assert size is not None, "the page has no fixed viewport to grow"
    height = int(page.evaluate(_CONTENT_HEIGHT))
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def screenshots(page: Page, folder: Path, name: str) -> list[Path]:
    """The whole page as it stands, light then dark: folder/name-light.png and name-dark.png;
    the page is left in the scheme it was in."""
    was = current_scheme(page)
    taken = []
    for scheme in SCHEMES:
        use_scheme(page, scheme)
        taken.append(shoot(page, folder / f"{name}-{scheme}.png"))
    use_scheme(page, was)
    return taken
