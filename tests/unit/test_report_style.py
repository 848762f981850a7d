"""The HTML reports read in a light and a dark scheme: one stylesheet with a dark half, and
charts that name their colours by class so both halves reach them."""

from __future__ import annotations

import re

import pytest

from tests.support.contrast import AA_GRAPHICS, AA_TEXT, contrast_ratio
from tests.support.models import LLAMA, QWEN
from vision.report.charts import Bar, Point, interval_bars, score_lines
from vision.report.style import DARK, LIGHT
from vision.report.sweep import render_sweep
from vision.values.batch import Resolution, SweepPoint, SweepSetting

DARK_QUERY = "@media (prefers-color-scheme: dark)"


def _point(model: str, budget: int, rate: float) -> SweepPoint:
    return SweepPoint(
        setting=SweepSetting(resolution=Resolution(token_budget=budget)),
        batch_id=f"b{budget}",
        model=model,
        items=10,
        passed=round(rate * 10),
        rate=rate,
        low=max(rate - 0.2, 0),
        high=min(rate + 0.2, 1),
        mean_score=rate,
        mean_prompt_tokens=budget * 1.1,
        cost=budget / 1e6,
    )


def _report() -> str:
    points = [_point(model, budget, rate) for model, rate in ((QWEN, 0.6), (LLAMA, 0.3))
              for budget in (256, 1280)]  # fmt: skip
    return render_sweep(points, scoring="contains")


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):(#[0-9a-f]{6});", block))


def test_the_report_carries_a_dark_stylesheet_that_sets_every_colour_the_light_one_does():
    html = _report()
    light_block, dark_block = html.split(DARK_QUERY)
    light, dark = _variables(light_block), _variables(dark_block.split("}}")[0])
    assert light
    assert light.keys() == dark.keys()
    assert all(light[name] != dark[name] for name in ("text", "page", "muted"))
    assert "color-scheme:light dark" in html  # the browser's own controls follow too


def test_the_charts_name_no_colour_of_their_own_so_the_scheme_reaches_them():
    bars = interval_bars(
        [Bar(label="Qwen2-VL-7B-Instruct", rate=0.6, low=0.3, high=0.8)], title="Pass rate"
    )
    lines = score_lines(
        {"Qwen2-VL-7B-Instruct": [Point(x=256, y=0.6, label="256 tokens")]},
        x_label="tokens",
        title="Score",
    )
    for svg in (bars, lines):
        assert "#" not in svg
        assert not re.search(r"\b(fill|stroke|color)=", svg)
        # Every drawn mark takes its colour from a class of the stylesheet.
        marks = re.findall(r"<(rect|line|polyline|circle)\b([^>]*)>", svg)
        assert marks
        assert all('class="' in attributes for _, attributes in marks)


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=["light", "dark"])
def test_text_reads_at_4_5_to_1_and_marks_at_3_to_1_in_both_schemes(palette):
    for text in ("text", "muted", "ok", "bad"):
        for background in ("page", "head"):
            assert contrast_ratio(palette[text], palette[background]) >= AA_TEXT, (text, background)
    html = _report()
    block = html.split(DARK_QUERY)[1 if palette is DARK else 0]
    series = [value for name, value in _variables(block).items() if name.startswith("series-")]
    assert len(series) == 6
    assert all(contrast_ratio(colour, palette["page"]) >= AA_GRAPHICS for colour in series)
