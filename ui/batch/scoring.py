"""The Batch page's scores beyond the check: circular evaluation of multiple-choice items (the
switch among the inputs, the score among the results), then the judge (ui/batch/judge.py)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.batch.judge import judge_panel
from ui.shared.charts import interval_text, percent_column
from ui.shared.session import BATCH_CIRCULAR_KEY
from vision.api.catalog import Catalog, short_name
from vision.connection import Backend
from vision.history.store import HistoryStore
from vision.scoring.circular import circular_rows
from vision.values.run import Run


def circular_switch(has_options: bool, *, disabled: bool) -> bool:
    """The circular evaluation switch, on offer when some item lists options; its value."""
    on = st.toggle(
        "Circular evaluation",
        key=BATCH_CIRCULAR_KEY,
        disabled=disabled or not has_options,
        help="Ask each multiple-choice question once per rotation of its options (4 options: "
        "4 requests); it passes only when every rotation is answered right. Needs a CSV or "
        "JSONL whose rows have options (an options column, a|b|c, or A, B, C... columns) and "
        "an answer.",
        persist_state="session",
    )
    return bool(on) and has_options


def circular_panel(runs: Sequence[Run]) -> None:
    """Per model: questions passed in every rotation against passed as given."""
    rows = circular_rows(runs)
    if not rows:
        return
    st.markdown(
        "**Circular evaluation** (multiple choice: a question passes only when every rotation "
        "of its options is answered right)"
    )
    table = [
        {
            "model": short_name(row.model),
            "circular score": round(row.circular / row.questions * 100, 1),
            "95% interval": interval_text(row.low, row.high),
            "passed every rotation": row.circular,
            "questions": row.questions,
            "plain score": round(row.plain / row.questions * 100, 1),
            "plain 95% interval": interval_text(row.plain_low, row.plain_high),
            "unread": row.unread,
        }
        for row in rows
    ]
    rate = {name: percent_column(name) for name in ("circular score", "plain score")}
    st.dataframe(table, hide_index=True, column_config=rate, key="circular_scores")
    st.caption(
        "Plain: the options in the order the file gave them (the first rotation) alone. "
        "Unread: questions failed only by answers from which no option could be read."
    )


def scores_tab(
    store: HistoryStore,
    backend: Backend | None,
    catalog: Catalog | None,
    batch_id: str,
    runs: Sequence[Run],
    *,
    running: bool,
) -> None:
    """The batch's circular score (when its items were asked circularly) and the judge."""
    circular_panel(runs)
    judge_panel(store, backend, catalog, batch_id, runs, running=running)
