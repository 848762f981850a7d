"""A repeated batch on the Batch page: each model's pass rate in every repeat with its range and
standard deviation, and the items whose answers flipped between repeats (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from vision.markdown import literal
from vision.report.repeats import FLIPS_SHOWN as REPORT_FLIPS
from vision.scoring.repeats import flip_row, flipped_items, repeat_spread, repeated, spread_row
from vision.scoring.summary import ItemOutcome

# Flipped items named in a line, and listed with their flip rates, the least stable first.
NAMED = 3
FLIPS_SHOWN = 10


def draw_repeats(outcomes: Sequence[ItemOutcome]) -> None:
    """Per model, its score in each repeat and how its items flipped, then the items that
    flipped; nothing when each item was asked once."""
    if not repeated(outcomes):
        return
    st.markdown("**Repeats**: each item asked several times, never from the cache")
    st.dataframe(
        [spread_row(spread) for spread in repeat_spread(outcomes)],
        hide_index=True,
        key="repeat_spread",
    )
    st.caption(
        "Each repeat scored as a batch of its own. An item's flip rate is the share of its "
        "repeats whose pass or fail differs from the majority of its repeats (0 when all agree, "
        "at most 50%)."
    )
    flipped = flipped_items(outcomes)
    if not flipped:
        st.caption("No item flipped: every repeat of every item agreed.")
        return
    names = list(dict.fromkeys(found.name for found in flipped))
    more = f" and {len(names) - NAMED} more" if len(names) > NAMED else ""
    st.markdown(f"**Items that flipped**: {', '.join(map(literal, names[:NAMED]))}{more}")
    st.dataframe(
        [flip_row(found) for found in flipped[:FLIPS_SHOWN]],
        hide_index=True,
        key="repeat_flips",
    )
    if len(flipped) > FLIPS_SHOWN:
        st.caption(
            f"The {FLIPS_SHOWN} least stable of {len(flipped)}: the HTML report (Export) lists "
            f"up to {REPORT_FLIPS}."
        )
