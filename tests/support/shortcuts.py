"""Keyboard shortcuts pressed in a real browser as a person presses them: after reading the page."""

from __future__ import annotations

from playwright.sync_api import Page

# Streamlit's frontend binds a button's shortcut (Send's Ctrl+Enter) a moment after the page is
# drawn. On a loaded machine, Ctrl+Enter pressed in the prompt within about a second of the
# first draw committed the prompt but sent no click: 2 to 4 times in 12 with both cores kept
# busy, never in 12 once 2.5 s had passed. A person reads the page first; a test waits as long.
SETTLE_MS = 2500


def wait_for_shortcuts(page: Page) -> None:
    """Give a freshly drawn page the moment its keyboard shortcuts need."""
    page.wait_for_timeout(SETTLE_MS)
