"""Per-model figures drawn the same way on every page: percent columns and bar charts."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

CHART_HEIGHT_PX = 220

# A title, the measure's name (the axis), and one value per model.
Chart = tuple[str, str, Sequence[float]]


def percent_column(title: str) -> ColumnConfig:
    """A table column showing 0-100 as a filled bar with its value."""
    return st.column_config.ProgressColumn(title, format="%.1f %%", min_value=0, max_value=100)


def bar_charts(names: Sequence[str], charts: Sequence[Chart]) -> None:
    """One horizontal bar chart per measure, side by side, a bar per model name."""
    for column, (title, measure, values) in zip(st.columns(len(charts)), charts, strict=True):
        with column:
            st.markdown(f"**{title}**")
            st.bar_chart(
                {"model": list(names), measure: list(values)},
                x="model",
                y=measure,
                height=CHART_HEIGHT_PX,
                horizontal=True,
            )
