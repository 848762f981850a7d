"""The shared charts (ui/shared/charts.py) in Chromium, light and dark, at 1440, 1100 and 390 px,
drawn with names and figures as long as real ones (tests/support/chart_page.py): every axis
label, title and legend entry whole, in the theme's text colour, a long model name wrapped."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.apps import ARTIFACTS, ROOT, free_port, streamlit_server
from tests.support.clipping import clipped_text
from tests.support.contrast import faint_text
from tests.support.schemes import SCHEMES, Scheme, shoot, use_scheme

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
WIDTHS = ((1440, 900), (1100, 800), (390, 844))
CHARTS = "[data-testid='stVegaLiteChart']"


@pytest.fixture(scope="module")
def chart_page() -> Iterator[str]:
    """`streamlit run tests/support/chart_page.py` on a free loopback port."""
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(
        script="tests/support/chart_page.py",
        port=free_port(),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        log=ARTIFACTS / "chart-page.log",
        options=["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
    ) as (url, _):
        yield url


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_chart_text_is_whole_and_readable_at_every_width(
    page: Page, chart_page: str, scheme: Scheme
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
    page.goto(chart_page)
    page.wait_for_selector(IDLE, timeout=30_000)
    use_scheme(page, scheme)
    charts = page.locator(CHARTS)
    expect(charts).to_have_count(5)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_selector(IDLE, timeout=30_000)
        # Each chart redraws for its new width; wait until every bar chart has its text again.
        wrapped = charts.locator("svg tspan").filter(has_text=re.compile(r"^128E-Instruct-FP8$"))
        expect(wrapped).to_have_count(3)
        # The long name on two lines in each bar chart, whole on one in the legends; the others
        # whole; every title.
        lines = set(charts.locator("svg tspan").all_text_contents())
        assert {"Llama-4-Maverick-17B-", "128E-Instruct-FP8"} <= lines
        texts = set(charts.locator("svg text").all_text_contents())
        assert {
            "Qwen2-VL-7B",
            "Llama-3.2-90B-Vision",
            "Llama-4-Maverick-17B-128E-Instruct-FP8",
        } <= texts
        assert {"seconds", "prompt tokens per answer", "cost", "pass rate"} <= texts
        where = f"charts at {width} px ({scheme})"
        cut = clipped_text(page, within=[CHARTS])
        if cut:  # a chart still settling into its width: measure once more
            page.wait_for_timeout(1_000)
            cut = clipped_text(page, within=[CHARTS])
        assert not cut, f"{where}: " + "; ".join(map(str, cut))
        faint = faint_text(page)
        assert not faint, f"{where}: " + "; ".join(map(str, faint))
        shoot(page, ARTIFACTS / f"look-charts-{scheme}-{width}.png")
