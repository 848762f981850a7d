"""The Batch page's scoring, chosen before the run: the metric, and the expected answers (one for
the uploaded images and URLs, or the table's column that holds them), with how many of the
batch's images that scores."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.batch.results import METRIC_TITLES
from ui.shared.session import BATCH_EXPECTED_COLUMN_KEY, BATCH_EXPECTED_KEY, BATCH_METRIC_KEY
from vision.batch.items.scored import ScoringChoice, scored_count
from vision.batch.items.table_scan import TableScan
from vision.batch.items.tables import IMAGE_COLUMNS
from vision.scoring.metrics import METRICS, MetricName
from vision.words import agreeing, counted

# The column choice that reads a table's expected answers as it names them.
AS_NAMED = ""


def choose_metric(*, disabled: bool) -> MetricName:
    """The metric answers are scored with against their expected answers (docs/metrics.md)."""
    metric: MetricName = st.selectbox(
        "Score answers with",
        METRICS,
        key=BATCH_METRIC_KEY,
        format_func=lambda kind: METRIC_TITLES[kind],
        disabled=disabled,
        help="Applied to every item with an expected answer (or, for a grounding item, "
        "reference boxes); the results can be scored again with another metric afterwards.",
        persist_state="session",
    )
    return metric


def choose_column(columns: Sequence[str], *, disabled: bool) -> str | None:
    """The table's column holding the expected answers (None: expected, answer or answers, as
    the table names them)."""
    choices = [AS_NAMED, *(name for name in columns if name not in IMAGE_COLUMNS)]
    if st.session_state.get(BATCH_EXPECTED_COLUMN_KEY) not in choices:
        st.session_state.pop(BATCH_EXPECTED_COLUMN_KEY, None)  # another table's column
    column: str = st.selectbox(
        "Expected answers: the table's column",
        choices,
        key=BATCH_EXPECTED_COLUMN_KEY,
        format_func=lambda name: name or "by name: expected or answer",
        disabled=disabled,
        persist_state="session",
    )
    return column or None


def choose_expected(*, disabled: bool) -> str | None:
    """The answer expected of every uploaded image and URL the table does not name."""
    expected = st.text_input(
        "Expected answer of the images (optional)",
        key=BATCH_EXPECTED_KEY,
        placeholder="e.g. a cat",
        disabled=disabled,
        help="Scored against each answer about an uploaded image or URL (not the table's "
        "rows, which have their own column).",
        persist_state="session",
    )
    return (expected or "").strip() or None


def scored_line(scoring: ScoringChoice, scan: TableScan | None, others: int) -> None:
    """How many of the batch's images will be scored, or what to give so that some are."""
    count = scored_count(scoring, scan, others)
    total, scored = count.total, count.scored
    if not total:
        return
    what = "reference boxes" if count.boxes else "an expected answer"
    if scored == total:
        said = f"Each of the {total} images has" if total > 1 else "The image has"
        st.caption(f":material/check_circle: {said} {what}: all are scored.")
        return
    if scored:
        st.caption(
            f":material/rule: {scored} of {total} images {agreeing(scored, 'has', 'have')} "
            f"{what}; the other {counted(total - scored, 'is', 'are')} shown, not scored."
        )
        return
    where = (
        "give the table's rows boxes"
        if count.boxes
        else "write the answer expected of the images, or choose the table's column that holds them"
        if scan is not None
        else "write the answer expected of the images"
    )
    st.caption(
        f":material/info: No image has {what}: the answers will be shown, not scored; {where}."
    )
