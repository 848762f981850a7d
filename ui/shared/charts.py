"""Figures drawn the same way on every page: percent columns, bar, line and stacked bar charts."""

from __future__ import annotations

import re
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


# Drawn as SVG rather than on a canvas: a few marks each, sharp at any zoom, and their text is
# text the page's stylesheet colours for the theme (ui/assets/look.css) and a browser test can
# measure. The padding keeps the top tick label and a rotated axis title inside the drawing;
# flush labels keep the last tick's label inside it too.
_SVG = {
    "usermeta": {"embedOptions": {"renderer": "svg"}},
    "padding": {"top": 6, "right": 6, "bottom": 6, "left": 6},
}
_FLUSH = {"labelFlush": True}
# A model name longer than this is drawn on two or more lines, broken after a hyphen, so three
# charts side by side keep room for their bars.
LINE_CHARS = 22


def wrapped(name: str, limit: int = LINE_CHARS) -> list[str]:
    """A name in lines of at most `limit` characters, broken only after hyphens and spaces (a
    longer piece stays whole on its own line)."""
    pieces = re.findall(r"[^-\s]*[-\s]*", name)
    lines = [""]
    for piece in filter(None, pieces):
        if lines[-1] and len(lines[-1]) + len(piece.rstrip()) > limit:
            lines.append("")
        lines[-1] += piece
    return [line.strip() for line in lines]


def _spec(measure: str, wrap: bool) -> dict[str, Any]:
    # An explicit spec: model names are never cut (labelLimit 0; a long one wraps, its lines
    # joined by a newline in the label field), bars keep the given order, the tooltip gives the
    # whole name, and the chart asks Vega for nothing it would warn about.
    return {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": None,
                "axis": {
                    "title": None,
                    "labelLimit": 0,
                    "labelExpr": "split(datum.label, '\\n')",
                },
            },
            "x": {"field": measure, "type": "quantitative", "title": measure, "axis": _FLUSH},
            "tooltip": [
                {"field": "model", "type": "nominal"},
                {"field": measure, "type": "quantitative"},
            ],
        },
        "height": {"step": 40 if wrap else 28},
        **_SVG,
    }


def bar_charts(names: Sequence[str], charts: Sequence[Chart]) -> None:
    """One horizontal bar chart per measure, side by side, a bar per model name."""
    for column, (title, measure, values) in zip(st.columns(len(charts)), charts, strict=True):
        with column:
            st.markdown(f"**{title}**")
            labels = ["\n".join(wrapped(name)) for name in names]
            rows = [
                {"model": name, "label": label, measure: value}
                for name, label, value in zip(names, labels, values, strict=True)
            ]
            wrap = any("\n" in label for label in labels)
            st.vega_lite_chart(rows, _spec(measure, wrap), width="stretch")


def _line_spec(x: str, y: str, series: str) -> dict[str, Any]:
    return {
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {
                "field": x,
                "type": "quantitative",
                "title": x,
                "scale": {"zero": False},
                "axis": _FLUSH,
            },
            "y": {"field": y, "type": "quantitative", "title": y, "scale": {"domain": [0, 100]}},
            "color": {
                "field": series,
                "type": "nominal",
                "title": None,
                "legend": {"labelLimit": 0, "orient": "bottom", "direction": "vertical"},
            },
            "order": {"field": x},
        },
        **_SVG,
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


def _stacked_spec(x: str, y: str, series: str) -> dict[str, Any]:
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": x, "axis": {"labelAngle": 0}},
            "y": {"field": y, "type": "quantitative", "title": y, "stack": "zero"},
            "color": {
                "field": series,
                "type": "nominal",
                "title": None,
                "legend": {"labelLimit": 0, "orient": "bottom", "direction": "vertical"},
            },
        },
        **_SVG,
    }


def stacked_bars(rows: Sequence[dict[str, Any]], *, x: str, y: str, series: str) -> None:
    """One column of bars per x value, each stacked from its series' y values (rows in long
    form: one per x and series), the series named whole in a legend below."""
    st.vega_lite_chart(list(rows), _stacked_spec(x, y, series), width="stretch")
