"""A repeated batch in the report: each model's score in every repeat with its range and
standard deviation, and each item whose answers flipped between repeats (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from vision.api.catalog import short_name
from vision.scoring.repeats import flipped_items, repeat_spread, repeated
from vision.scoring.summary import ItemOutcome

# Flipped items listed in the report; the rest are counted.
FLIPS_SHOWN = 50


def _spread_table(outcomes: Sequence[ItemOutcome]) -> str:
    rows = "".join(
        f"<tr><td>{escape(short_name(spread.model))}</td>"
        f'<td class="n">{" · ".join(f"{rate:.1%}" for rate in spread.rates)}</td>'
        f'<td class="n">{spread.low:.1%} – {spread.high:.1%}</td>'
        f'<td class="n">{100 * spread.sd:.1f}</td>'
        f'<td class="n">{" · ".join(f"{score:.3f}" for score in spread.mean_scores)}</td>'
        f'<td class="n">{spread.flipped} of {spread.items}</td>'
        f'<td class="n">{spread.mean_flip_rate:.1%}</td></tr>'
        for spread in repeat_spread(outcomes)
    )
    return (
        "<table><tr><th>model</th><th>pass rate per repeat</th><th>min – max</th>"
        "<th>standard deviation (points)</th><th>mean score per repeat</th>"
        f"<th>items that flipped</th><th>mean flip rate</th></tr>{rows}</table>"
    )


def _flips_table(outcomes: Sequence[ItemOutcome]) -> str:
    flipped = flipped_items(outcomes)
    if not flipped:
        return '<p class="note">No item flipped: every repeat of every item agreed.</p>'
    rows = "".join(
        f"<tr><td>{escape(found.name)}</td><td>{escape(short_name(found.model))}</td>"
        f'<td class="n">{found.passed} of {found.repeats}</td>'
        f'<td class="n">{found.flip_rate:.0%}</td></tr>'
        for found in flipped[:FLIPS_SHOWN]
    )
    more = len(flipped) - FLIPS_SHOWN
    return (
        "<table><tr><th>item</th><th>model</th><th>repeats passed</th><th>flip rate</th></tr>"
        f"{rows}</table>"
        + (f'<p class="note">And {more} more flipped items.</p>' if more > 0 else "")
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
        + _spread_table(outcomes)
        + "<h3>Items that flipped</h3>"
        + _flips_table(outcomes)
    )
