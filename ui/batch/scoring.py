"""The Batch page's scores beyond the check: circular evaluation of multiple-choice items (the
switch among the inputs, the score among the results) and a model as judge with a rubric,
whose reason is shown beside each score (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui.shared.backend import Backend, new_client
from ui.shared.charts import percent_column
from ui.shared.session import BATCH_CIRCULAR_KEY, BATCH_JUDGE_KEY, BATCH_RUBRIC_KEY
from vision.api.catalog import Catalog, short_name
from vision.history.store import HistoryStore
from vision.scoring.circular import circular_rows
from vision.scoring.judge import DEFAULT_RUBRIC, batch_judgements, judge_batch
from vision.scoring.summary import score_runs, score_table
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
    )
    return bool(on) and has_options


def _interval(low: float, high: float) -> str:
    return f"{low:.0%} – {high:.0%}"


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
            "95% interval": _interval(row.low, row.high),
            "passed every rotation": row.circular,
            "questions": row.questions,
            "plain score": round(row.plain / row.questions * 100, 1),
            "plain 95% interval": _interval(row.plain_low, row.plain_high),
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


def _judge_rows(runs: Sequence[Run], judged: dict[int, Any]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        judgement = judged.get(run.id)
        if judgement is None:
            continue
        rows.append(
            {
                "item": run.item_name or f"#{(run.item_index or 0) + 1}",
                "model": short_name(run.model),
                "answer": run.answer,
                "judge score": judgement.score,
                "passed": judgement.passed,
                "reason": judgement.reason,
            }
        )
    return rows


def _judge(backend: Backend, store: HistoryStore, batch_id: str, judge: str, rubric: str) -> None:
    # A client of its own: the judge asks a few at once, from threads of its own.
    with st.spinner(f"{short_name(judge)} is grading the answers…"), new_client(backend) as client:
        found, failed = judge_batch(client, store, batch_id, judge, rubric)
    if failed:
        _, error = failed[0]
        st.warning(
            f"The judge graded {len(found)} answer(s) and could not grade {len(failed)}; "
            f"the first: {error}",
            icon=":material/warning:",
        )


def judge_panel(
    store: HistoryStore,
    backend: Backend | None,
    catalog: Catalog | None,
    batch_id: str,
    *,
    running: bool,
) -> None:
    """Pick the judge model and its rubric, have it grade the answers, and show its scores:
    pass rates with intervals per model, and each answer's score beside the judge's reason."""
    st.markdown("**Model as judge**: a model grades each of the answers by your rubric.")
    if catalog is None or backend is None or not catalog.ids:
        st.caption("Connect to a backend in the sidebar to pick a judge model.")
        return
    judge_slot, rubric_slot = st.columns([1, 2])
    with judge_slot:
        judge: str = st.selectbox(
            "Judge model",
            catalog.ids,
            key=BATCH_JUDGE_KEY,
            format_func=short_name,
            help="Any model that follows instructions; it reads the question, the reference "
            "answer (if any) and each answer, as text.",
        )
    with rubric_slot:
        rubric = st.text_area(
            "Rubric",
            value=DEFAULT_RUBRIC,
            key=BATCH_RUBRIC_KEY,
            height=80,
            help="What the judge grades against. A reference answer, when the item has one, "
            "is given to the judge too.",
        ).strip()
    clicked = st.button(
        "Judge answers",
        key="batch_judge_run",
        icon=":material/gavel:",
        disabled=running or not rubric,
        help="Grades each answer this judge has not graded with this rubric (at temperature 0).",
    )
    if running:
        st.caption("Judging opens when the batch has finished.")
    if clicked and not running and rubric:
        _judge(backend, store, batch_id, judge, rubric)
    judgements = batch_judgements(store, batch_id, judge, rubric or DEFAULT_RUBRIC)
    if not judgements:
        return
    runs = store.batch_runs(batch_id, images=False)
    outcomes = score_runs(runs, "judge", judgements=judgements)
    rates = [
        {
            "model": short_name(row.model),
            "judge pass rate": round(row.rate * 100, 1),
            "95% interval": _interval(row.low, row.high),
            "passed": row.passed,
            "judged": row.items,
            "mean judge score": round(row.mean_score, 3),
        }
        for row in score_table(outcomes)
    ]
    st.markdown(f"**Judged by {short_name(judge)}** (95% Wilson interval)")
    rate = {"judge pass rate": percent_column("judge pass rate")}
    st.dataframe(rates, hide_index=True, column_config=rate, key="judge_rates")
    judged = {judgement.run_id: judgement for judgement in judgements}
    config: dict[str, Any] = {
        "answer": st.column_config.TextColumn("answer", width="large"),
        "judge score": st.column_config.NumberColumn("judge score", format="%.2f"),
        "passed": st.column_config.CheckboxColumn("passed"),
        "reason": st.column_config.TextColumn("judge's reason", width="large"),
    }
    st.dataframe(
        _judge_rows(runs, judged), hide_index=True, column_config=config, key="judge_items"
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
    judge_panel(store, backend, catalog, batch_id, running=running)
