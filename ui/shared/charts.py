"""Per-model figures drawn the same way on every page: percent columns and bar charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

# A title, the measure's name (the axis), and one value per model.
Chart = tuple[str, str, Sequence[float]]


def percent_column(title: str) -> ColumnConfig:
    """A table column showing 0-100 as a filled bar with its value."""
    return st.column_config.ProgressColumn(title, format="%.1f %%", min_value=0, max_value=100)


def interval_text(low: float, high: float) -> str:
    """A 95% interval of two shares as a table cell shows it: "23% – 76%"."""
    return f"{low:.0%} – {high:.0%}"


def _spec(measure: str) -> dict[str, Any]:
    # An explicit spec: model names are never cut (labelLimit 0), bars keep the given order,
    # and the chart asks Vega for nothing it would warn about.
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {
                "field": "model",
                "type": "nominal",
                "sort": None,
                "axis": {"title": None, "labelLimit": 0},
            },
            "x": {"field": measure, "type": "quantitative", "title": measure},
        },
        "height": {"step": 28},
    }


def bar_charts(names: Sequence[str], charts: Sequence[Chart]) -> None:
    """One horizontal bar chart per measure, side by side, a bar per model name."""
    for column, (title, measure, values) in zip(st.columns(len(charts)), charts, strict=True):
        with column:
            st.markdown(f"**{title}**")
            rows = [
                {"model": name, measure: value} for name, value in zip(names, values, strict=True)
            ]
            st.vega_lite_chart(rows, _spec(measure), width="stretch")


def _line_spec(x: str, y: str, series: str) -> dict[str, Any]:
    return {
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": x, "type": "quantitative", "title": x, "scale": {"zero": False}},
            "y": {"field": y, "type": "quantitative", "title": y, "scale": {"domain": [0, 100]}},
            "color": {
                "field": series,
                "type": "nominal",
                "title": None,
                "legend": {"labelLimit": 0, "orient": "bottom", "direction": "vertical"},
            },
            "order": {"field": x},
        },
    }


def line_charts(
    rows: Sequence[dict[str, Any]], *, y: str, series: str, xs: Sequence[tuple[str, str]]
) -> None:
    """One line chart per (title, x field), side by side: a 0-100 y against x, a line per
    series with its points marked; rows without both values are left out."""
    for column, (title, x) in zip(st.columns(len(xs)), xs, strict=True):
        with column:
            st.markdown(f"**{title}**")
            present = [row for row in rows if row.get(x) is not None and row.get(y) is not None]
            if not present:
                st.caption(f"No {x} known for these settings.")
                continue
            st.vega_lite_chart(present, _line_spec(x, y, series), width="stretch")
