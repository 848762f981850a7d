"""One item of a batch's results read whole: its picture, expected answer, and each model's full
answer or error side by side, every repeat of it when the item was asked several times (the
grid's cells cut long answers)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.batch.picking import pick_entry, row_clicked
from ui.shared.session import BATCH_GRID_KEY, BATCH_ITEM_KEY
from vision.api.catalog import short_name
from vision.markdown import EMPTY_ANSWER, answer_markdown, literal
from vision.scoring.metrics import MetricName
from vision.scoring.summary import run_passed
from vision.values.run import Run

# More models than this are read one under another rather than side by side.
SIDE_BY_SIDE = 3


def grid_clicked(items_of_rows: Sequence[int]) -> None:
    """A click on the grid's row: its item's answers (every repeat of them) are read whole
    below it; items_of_rows gives each row's item."""
    row_clicked(BATCH_GRID_KEY, BATCH_ITEM_KEY, items_of_rows)


def _verdict(run: Run, metric: MetricName) -> str:
    # A failed request shows its error; its verdict would only repeat it.
    passed = None if run.failed else run_passed(run, metric)
    return {True: " · :green[passed]", False: " · :red[failed the check]", None: ""}[passed]


def _answer(run: Run) -> None:
    if run.failed:
        st.error(run.error or "", icon=":material/error:")
    else:
        st.markdown(answer_markdown(run.answer) or EMPTY_ANSWER)


def _model_answers(model: str, runs: Sequence[Run], metric: MetricName, *, repeats: int) -> None:
    """A model's answer to the item, or with repeats each repeat's answer in turn."""
    name = f"**{literal(short_name(model))}**"
    if not runs:
        st.markdown(name)
        st.caption("Not asked yet.")
    elif repeats == 1:
        st.markdown(name + _verdict(runs[0], metric))
        _answer(runs[0])
    else:
        st.markdown(name)
        asked = {run.repeat: run for run in runs}
        for repeat in range(repeats):
            run = asked.get(repeat)
            st.markdown(f"Repeat {repeat + 1}" + (_verdict(run, metric) if run else ""))
            if run is None:
                st.caption("Not asked yet.")
            else:
                _answer(run)


def draw_item_answers(
    items: Sequence[tuple[str, tuple[Run, ...]]], models: Sequence[str], metric: MetricName
) -> None:
    """A picker of the grid's items (a row click picks one too) and the chosen one's answers."""
    chosen = pick_entry(
        "Read an image's answers whole",
        len(items),
        key=BATCH_ITEM_KEY,
        format_func=lambda index: items[index][0],
        placeholder="Pick an image, or click its row in the grid",
    )
    if chosen is None:
        return
    label, runs = items[chosen]
    expected = next((run.expected for run in runs if run.expected), None)
    # Every item was asked as often as the batch's most repeated one: show a missing repeat.
    repeats = max(run.repeat for _, each in items for run in each) + 1
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
                mine = [run for run in runs if run.model == model]
                _model_answers(model, mine, metric, repeats=repeats)
