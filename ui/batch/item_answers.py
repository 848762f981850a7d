"""One item of a batch's results read whole: its picture, expected answer, and each model's full
answer or error side by side (the grid's cells cut long answers)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.shared.session import BATCH_GRID_KEY, BATCH_ITEM_KEY
from vision.api.catalog import short_name
from vision.markdown import answer_markdown, literal
from vision.scoring.metrics import MetricName
from vision.scoring.summary import run_passed
from vision.values.run import Run

# More models than this are read one under another rather than side by side.
SIDE_BY_SIDE = 3


def grid_clicked() -> None:
    """A click on the grid's row: that item's answers are read whole below it."""
    rows = st.session_state[BATCH_GRID_KEY]["selection"]["rows"]
    if rows:
        st.session_state[BATCH_ITEM_KEY] = rows[0]


def _model_answer(model: str, run: Run | None, check: MetricName) -> None:
    # A failed request shows its error; its verdict would only repeat it.
    passed = run_passed(run, check) if run is not None and not run.failed else None
    verdict = {True: " · :green[passed]", False: " · :red[failed the check]", None: ""}[passed]
    st.markdown(f"**{literal(short_name(model))}**{verdict}")
    if run is None:
        st.caption("Not asked yet.")
    elif run.failed:
        st.error(run.error or "", icon=":material/error:")
    else:
        st.markdown(answer_markdown(run.answer) or "_(empty answer)_")


def draw_item_answers(
    items: Sequence[tuple[str, tuple[Run, ...]]], models: Sequence[str], check: MetricName
) -> None:
    """A picker of the grid's items (a row click picks one too) and the chosen one's answers."""
    if st.session_state.get(BATCH_ITEM_KEY) not in range(len(items)):
        st.session_state.pop(BATCH_ITEM_KEY, None)  # another batch's row
    chosen = st.selectbox(
        "Read an image's answers whole",
        range(len(items)),
        index=None,
        format_func=lambda index: items[index][0],
        key=BATCH_ITEM_KEY,
        placeholder="Pick an image, or click its row in the grid",
    )
    if chosen is None:
        return
    label, runs = items[chosen]
    expected = next((run.expected for run in runs if run.expected), None)
    by_model = {run.model: run for run in runs}
    with st.container(border=True, key="batch_item_answers"):
        heading = f"**{literal(label)}**"
        st.markdown(heading + (f" · expected: {literal(expected)}" if expected else ""))
        slots = (
            st.columns(len(models), gap="medium")
            if len(models) <= SIDE_BY_SIDE
            else [st.container() for _ in models]
        )
        for slot, model in zip(slots, models, strict=True):
            with slot:
                _model_answer(model, by_model.get(model), check)
