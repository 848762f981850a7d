"""A repeated batch in the report: each model's score in every repeat with its range and
standard deviation, and each item whose answers flipped between repeats (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from vision.scoring.repeats import (
    FLIP_COLUMNS,
    SPREAD_COLUMNS,
    flip_row,
    flipped_items,
    repeat_spread,
    repeated,
    spread_row,
)
from vision.scoring.summary import ItemOutcome

# Flipped items listed in the report; the rest are counted.
FLIPS_SHOWN = 50


def _table(columns: Sequence[str], rows: Sequence[Mapping[str, object]], *, text: int) -> str:
    """A table of rows under their columns' names: the first `text` columns as text, the rest
    as numbers."""
    head = "".join(f"<th>{escape(column)}</th>" for column in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(row[column]))}</td>"
            if place < text
            else f'<td class="n">{escape(str(row[column]))}</td>'
            for place, column in enumerate(columns)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _flips_table(outcomes: Sequence[ItemOutcome]) -> str:
    flipped = flipped_items(outcomes)
    if not flipped:
        return '<p class="note">No item flipped: every repeat of every item agreed.</p>'
    more = len(flipped) - FLIPS_SHOWN
    return _table(FLIP_COLUMNS, [flip_row(found) for found in flipped[:FLIPS_SHOWN]], text=2) + (
        f'<p class="note">And {more} more flipped items.</p>' if more > 0 else ""
    )


def repeats_section(outcomes: Sequence[ItemOutcome]) -> str:
    """The report's section on repeats; empty when each item was asked once."""
    if not repeated(outcomes):
        return ""
    return (
        "<h2>Repeats</h2>"
        '<p class="note">Each item was asked several times, never from the cache. An item\'s '
        "flip rate is the share of its repeats whose pass or fail differs from the majority of "
        "its repeats (0 when all agree; at most 50%). The pass rates above and their intervals "
        "are over items, each counting the share of its repeats that passed; the paired "
        "comparison is on those shares.</p>"
        + _table(SPREAD_COLUMNS, [spread_row(spread) for spread in repeat_spread(outcomes)], text=1)
        + "<h3>Items that flipped</h3>"
        + _flips_table(outcomes)
    )
