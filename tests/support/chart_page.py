"""A page of the app's shared charts, drawn with names and figures as long as real ones, for the
browser tests of their look (`streamlit run tests/support/chart_page.py`)."""

from __future__ import annotations

from ui.shared.charts import bar_charts, line_charts
from ui.shared.frame import set_frame
from vision.api.catalog import compact_name, short_name

MODELS = (
    "meta-llama/Llama-3.2-90B-Vision-Instruct",
    "Qwen/Qwen2-VL-7B-Instruct",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
)
TOKENS = "prompt tokens per answer"


def _sweep_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for step, (tokens, cost) in enumerate(((256, 0.000112), (1280, 0.000561), (16384, 0.0071))):
        for number, model in enumerate(MODELS):
            rows.append(
                {
                    "model": short_name(model),
                    "pass rate": 40.0 + 10 * step + 5 * number,
                    TOKENS: tokens * (number + 1),
                    "cost": cost * (number + 1),
                }
            )
    return rows


set_frame(show_sidebar=False)
# The leaderboard's three charts side by side, the narrowest the pages draw.
bar_charts(
    [compact_name(model) for model in MODELS],
    [
        ("Win rate (%)", "win rate", [33.3, 50.0, 100.0]),
        ("Mean total tokens", "tokens", [4812.0, 5003.0, 123456.0]),
        ("Mean latency (s)", "seconds", [0.31, 0.35, 12.4]),
    ],
)
line_charts(
    _sweep_rows(),
    y="pass rate",
    series="model",
    xs=[("Score against prompt tokens", TOKENS), ("Score against cost", "cost")],
)
