"""Inline SVG charts for the report: pass rates with their intervals, and a score against
cost line; plain markup, no script, nothing fetched. Colours are the report stylesheet's
classes (vision/report/style.py), so a chart follows the page's light or dark scheme."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from vision.report.style import series_class

WIDTH, ROW_HEIGHT, LABEL_WIDTH = 720, 26, 300


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    """One bar: a label, a rate from 0 to 1 and its interval."""

    label: str
    rate: float
    low: float
    high: float
    note: str = ""


def interval_bars(bars: Sequence[Bar], *, title: str) -> str:
    """Horizontal bars of pass rates with whiskers for their 95% intervals."""
    plot = WIDTH - LABEL_WIDTH - 70
    height = ROW_HEIGHT * len(bars) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = LABEL_WIDTH + tick * plot
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}"/>'
            f'<text class="tick" x="{x:.1f}" y="{height - 8}" font-size="11" '
            f'text-anchor="middle">{tick:.0%}</text>'
        )
    for index, bar in enumerate(bars):
        y = 6 + index * ROW_HEIGHT
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" font-size="12" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect class="bar {series_class(index)}" x="{LABEL_WIDTH}" y="{y + 3}" '
            f'width="{bar.rate * plot:.1f}" height="14"/>'
            f'<line class="whisker" x1="{LABEL_WIDTH + bar.low * plot:.1f}" y1="{y + 10}" '
            f'x2="{LABEL_WIDTH + bar.high * plot:.1f}" y2="{y + 10}" stroke-width="1.5"/>'
            f'<text x="{LABEL_WIDTH + plot + 6}" y="{y + 14}" font-size="11">'
            f"{bar.rate:.0%}{escape(bar.note)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One point of a line: x (tokens or cost), y (a score from 0 to 1) and its label."""

    x: float
    y: float
    label: str


# A point label's width, over-reckoned: 10 px type runs at most about 6.5 px a character.
_LABEL_CHAR_PX = 6.5


def _point_label(label: str, x: float, y: float, width: float) -> str:
    """A point's label beside it, to its right unless it would run past the chart's right
    edge (the last setting's point sits there), then to its left."""
    anchor, at = (
        ("start", x + 5) if x + 5 + len(label) * _LABEL_CHAR_PX <= width else ("end", x - 5)
    )
    return (
        f'<text x="{at:.1f}" y="{y - 6:.1f}" font-size="10" text-anchor="{anchor}">'
        f"{escape(label)}</text>"
    )


def score_lines(lines: Mapping[str, Sequence[Point]], *, x_label: str, title: str) -> str:
    """Score (0 to 1) against x, one line per series, every point labelled."""
    width, height, left, bottom = WIDTH, 300, 50, 40
    xs = [point.x for points in lines.values() for point in points] or [0.0, 1.0]
    low, high = min(xs), max(xs)
    span = (high - low) or 1.0

    def at(point: Point) -> tuple[float, float]:
        x = left + (point.x - low) / span * (width - left - 20)
        y = (height - bottom) - point.y * (height - bottom - 16)
        return x, y

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
        f'y2="{height - bottom}"/>',
        f'<line class="axis" x1="{left}" y1="10" x2="{left}" y2="{height - bottom}"/>',
        f'<text x="{width / 2}" y="{height - 6}" font-size="12" text-anchor="middle">'
        f"{escape(x_label)}</text>",
    ]
    for tick in (0, 0.5, 1):
        y = (height - bottom) - tick * (height - bottom - 16)
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end">{tick:.0%}</text>'
        )
    for index, (name, points) in enumerate(lines.items()):
        series = series_class(index)
        coords = [at(point) for point in sorted(points, key=lambda point: point.x)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="line {series}" points="{path}" stroke-width="2"/>')
        for (x, y), point in zip(coords, sorted(points, key=lambda p: p.x), strict=True):
            parts.append(
                f'<circle class="{series}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'
                + _point_label(point.label, x, y, width)
            )
        # The series' name in the text colour (a coloured name would be too faint on one of
        # the two backgrounds), after a stroke of the series' own colour.
        key_y = 16 + index * 14
        parts.append(
            f'<text x="{width - 12}" y="{key_y}" font-size="11" text-anchor="end">'
            f"{escape(name)}</text>"
            f'<line class="line {series}" x1="{width - 9}" y1="{key_y - 4}" x2="{width - 1}" '
            f'y2="{key_y - 4}" stroke-width="3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
