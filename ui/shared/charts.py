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
