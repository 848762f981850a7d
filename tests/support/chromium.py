"""Debian's Chromium as the tests and benchmarks drive it (Playwright cannot download browsers)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
# What a browser needs on these machines: no sandbox as root, no GPU, and nothing that reaches
# the internet by itself.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
