"""The Batch page's model as judge: pick the judge and its rubric, show it the images or not,
have it grade each answer (its reason beside each score) or compare each two models' answers in
both orders (ui/batch/pairwise.py); docs/metrics.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui.batch.pairwise import pairwise_panel
from ui.batch.picking import pick_entry, row_clicked
from ui.shared.charts import interval_text, percent_column
from ui.shared.session import (
    BATCH_JUDGE_IMAGES_KEY,
    BATCH_JUDGE_KEY,
    BATCH_RUBRIC_KEY,
    JUDGE_GRID_KEY,
    JUDGE_ITEM_KEY,
)
from vision.api.catalog import Catalog, sees_images, short_name
from vision.batch.recorded.by_item import item_label
from vision.connection import Backend, new_client
from vision.history.store import HistoryStore
from vision.markdown import EMPTY_ANSWER, answer_markdown, literal
from vision.report.judging import saw_sentence
from vision.scoring.judge import DEFAULT_RUBRIC, batch_judgements, judge_batch
from vision.scoring.pairwise import answer_pairs, judge_batch_pairs
from vision.scoring.summary import score_runs, score_table
from vision.values.judgement import Judgement
from vision.values.run import Run


def _judge_rows(runs: Sequence[Run], judged: dict[int, Judgement]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        judgement = judged.get(run.id)
        if judgement is None:
            continue
        rows.append(
            {
                "item": item_label(run),
                "model": short_name(run.model),
                "answer": run.answer,
                "judge score": judgement.score,
                "passed": judgement.passed,
                "saw the image": judgement.saw_images,
                "reason": judgement.reason,
            }
        )
    return rows


def _warn(done: int, failed: Sequence[Any], unseen: Sequence[Any], what: str) -> None:
    if failed:
        _, error = failed[0]
        st.warning(
            f"The judge {what} {done} and could not for {len(failed)}; the first: {error}",
            icon=":material/warning:",
        )
    if unseen:
        _, error = unseen[0]
        st.warning(
            f"The judge read {len(unseen)} without the image(s); the first: {error}",
            icon=":material/visibility_off:",
        )


def _grade(
    backend: Backend, store: HistoryStore, batch_id: str, judge: str, rubric: str, sees: bool
) -> None:
    # A client of its own: the judge asks a few at once, from threads of its own.
    with st.spinner(f"{short_name(judge)} is grading the answers…"), new_client(backend) as client:
        found = judge_batch(client, store, batch_id, judge, rubric, sees_images=sees)
    _warn(len(found.judged), found.failed, found.unseen, "graded")


def _compare(
    backend: Backend, store: HistoryStore, batch_id: str, judge: str, rubric: str, sees: bool
) -> None:
    with (
        st.spinner(f"{short_name(judge)} is comparing the answers…"),
        new_client(backend) as client,
    ):
        found = judge_batch_pairs(client, store, batch_id, judge, rubric, sees_images=sees)
    _warn(len(found.judged), found.failed, found.unseen, "compared")


def _grades(store: HistoryStore, batch_id: str, judge: str, rubric: str) -> None:
    """The judge's pass rate per model with its interval, then each answer beside its reason."""
    judgements = batch_judgements(store, batch_id, judge, rubric)
    if not judgements:
        return
    runs = store.batch_runs(batch_id, images=False)
    outcomes = score_runs(runs, "judge", judgements=judgements)
    rates = [
        {
            "model": short_name(row.model),
            "judge pass rate": round(row.rate * 100, 1),
            "95% interval": interval_text(row.low, row.high),
            "passed": row.passed,
            "judged": row.items,
            "mean judge score": round(row.mean_score, 3),
        }
        for row in score_table(outcomes)
    ]
    st.markdown(f"**Judged by {short_name(judge)}** (95% Wilson interval)")
    seen = sum(judgement.saw_images for judgement in judgements)
    st.caption(saw_sentence(seen, len(judgements), "answer", "graded"))
    rate = {"judge pass rate": percent_column("judge pass rate")}
    st.dataframe(rates, hide_index=True, column_config=rate, key="judge_rates")
    judged = {judgement.run_id: judgement for judgement in judgements}
    config: dict[str, Any] = {
        "answer": st.column_config.TextColumn("answer", width="large"),
        "judge score": st.column_config.NumberColumn("judge score", format="%.2f"),
        "passed": st.column_config.CheckboxColumn("passed"),
        "saw the image": st.column_config.CheckboxColumn("saw the image"),
        "reason": st.column_config.TextColumn("judge's reason", width="large"),
    }
    st.dataframe(
        _judge_rows(runs, judged),
        hide_index=True,
        column_config=config,
        key=JUDGE_GRID_KEY,
        on_select=_grid_clicked,
        selection_mode="single-row",
    )
    _judged_whole([run for run in runs if run.id in judged], judged)


def _grid_clicked() -> None:
    """A click on a judged answer's row: it is read whole below the table."""
    row_clicked(JUDGE_GRID_KEY, JUDGE_ITEM_KEY)


def _judged_whole(runs: Sequence[Run], judged: dict[int, Judgement]) -> None:
    """A picker of the judged answers (a row click picks one too), the chosen one's answer and
    the judge's reason in full: the table's cells cut both."""
    chosen = pick_entry(
        "Read a judged answer and its reason whole",
        len(runs),
        key=JUDGE_ITEM_KEY,
        format_func=lambda index: f"{item_label(runs[index])} · {short_name(runs[index].model)}",
        placeholder="Pick an answer, or click its row in the table",
    )
    if chosen is None:
        return
    run, judgement = runs[chosen], judged[runs[chosen].id]
    verdict = ":green[passed]" if judgement.passed else ":red[failed]"
    with st.container(border=True, key="judge_item_whole"):
        st.markdown(
            f"**{literal(item_label(run))} · {literal(short_name(run.model))}** · judge score "
            f"{judgement.score:.2f} · {verdict}"
        )
        answer, reason = st.columns(2, gap="medium")
        with answer:
            st.caption("Answer")
            st.markdown(answer_markdown(run.answer) or EMPTY_ANSWER)
        with reason:
            st.caption("The judge's reason")
            st.markdown(answer_markdown(judgement.reason) or "_(no reason given)_")


def _choose(catalog: Catalog) -> tuple[str, str, bool]:
    """The judge model, its rubric, and whether it is shown the images."""
    judge_slot, rubric_slot = st.columns([1, 2])
    with judge_slot:
        judge: str = st.selectbox(
            "Judge model",
            catalog.ids,
            key=BATCH_JUDGE_KEY,
            format_func=catalog.label,
            help="Any model that follows instructions; it reads the question, the reference "
            "answer (if any) and each answer, and a model that takes images sees the image as "
            "the graded model received it.",
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
    takes = sees_images(catalog.info(judge))
    shown = st.toggle(
        "Show the judge the images",
        value=True,
        key=BATCH_JUDGE_IMAGES_KEY,
        disabled=not takes,
        help="Each answer's image, exactly as the graded model received it (prepared again "
        "from the original the history keeps, and checked against the hash it was sent with).",
    )
    if not takes:
        st.caption(f"{short_name(judge)} reads text only: it is shown no image.")
    return judge, rubric, bool(shown) and takes


def judge_panel(
    store: HistoryStore,
    backend: Backend | None,
    catalog: Catalog | None,
    batch_id: str,
    runs: Sequence[Run],
    *,
    running: bool,
) -> None:
    """Pick the judge model and its rubric, have it grade the answers or compare them in pairs,
    and show what it found and whether it saw the images."""
    st.markdown("**Model as judge**: a model grades each of the answers by your rubric.")
    if catalog is None or backend is None or not catalog.ids:
        st.caption("Connect to a backend in the sidebar to pick a judge model.")
        return
    judge, rubric, sees = _choose(catalog)
    pairs = len(answer_pairs([run for run in runs if not run.failed]))
    grade_slot, compare_slot = st.columns(2)
    with grade_slot:
        graded = st.button(
            "Judge answers",
            key="batch_judge_run",
            icon=":material/gavel:",
            disabled=running or not rubric,
            help="Grades each answer this judge has not graded with this rubric (at "
            "temperature 0).",
        )
    with compare_slot:
        compared = st.button(
            "Compare pairs",
            key="batch_judge_pairs",
            icon=":material/compare_arrows:",
            disabled=running or not rubric or not pairs,
            help="Shows the judge each two models' answers to the same item twice, their places "
            "swapped; only a verdict that survives the swap counts.",
        )
    if running:
        st.caption("Judging opens when the batch has finished.")
    elif graded and rubric:
        _grade(backend, store, batch_id, judge, rubric, sees)
    elif compared and rubric:
        _compare(backend, store, batch_id, judge, rubric, sees)
    _grades(store, batch_id, judge, rubric or DEFAULT_RUBRIC)
    pairwise_panel(store, batch_id, judge, rubric or DEFAULT_RUBRIC, runs)
