"""The Batch page's kept batches: reopening an earlier one (after the tab closed or the app
restarted), resuming what it lacks, and its scored downloads: per-item CSV, JSONL, the report."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.shared.offer import draw_offer, offered
from ui.shared.session import BATCH_EARLIER_KEY, BATCH_KEY, BATCH_OFFER_KEY
from vision.batch.outputs import csv_lines, jsonl_lines
from vision.batch.recorded.naming import batch_title
from vision.batch.running.in_process import LiveBatch, running_batch
from vision.errors import VisionError
from vision.history.store import HistoryStore
from vision.markdown import literal
from vision.report.html import report_for_batch
from vision.scoring.metrics import MetricName
from vision.scoring.summary import reads_images, score_runs
from vision.words import counted

EARLIER_SHOWN = 20


def earlier_batches(store: HistoryStore, reopen: Callable[[str], None]) -> None:
    """A picker of this workspace's kept batches, newest first, each named by when it started,
    what it asked, its models and tag; and an Open button."""
    kept = {batch.id: batch for batch in store.kept_batches(EARLIER_SHOWN)}
    if not kept:
        return

    def label(batch_id: str) -> str:
        batch = kept[batch_id]
        live = running_batch(store.workspace, batch_id)
        status = "running" if live is not None and live.running else batch.state or "kept"
        items = batch.spec.get("item_count")
        size = f" · {counted(items, 'item')}" if items else ""
        return f"{batch_title(batch)}{size} · {status}"

    with st.expander("Earlier batches", icon=":material/history:"):
        chosen = st.selectbox("Batch", list(kept), key=BATCH_EARLIER_KEY, format_func=label)
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            st.button(
                "Open",
                key="batch_open",
                icon=":material/folder_open:",
                on_click=reopen,
                args=(chosen,),
                help="Show its answers; Resume then asks only what it lacks.",
            )
            st.caption(f"Batch id `{chosen}`")


def newest_batch_offer(store: HistoryStore, reopen: Callable[[str], None]) -> None:
    """On a page that starts with no batch (a new tab, a reload, a restart): that batches are
    kept, and the newest one a click away."""
    state = st.session_state

    def newest_id() -> str | None:
        # Only when this session first shows the page with no batch open.
        newest = [] if BATCH_KEY in state else store.kept_batches(1)
        return newest[0].id if newest else None

    batch_id = offered(BATCH_OFFER_KEY, newest_id)
    if BATCH_KEY in state or not batch_id:
        return
    kept = store.kept_batches(1, ids=[batch_id])
    if not kept:
        return
    draw_offer(
        BATCH_OFFER_KEY,
        key="batch_offer",
        kept="A new or reloaded tab starts with no batch on screen; every batch is kept "
        "(Earlier batches, below).",
        newest=literal(batch_title(kept[0])),
        open_label="Open the last batch",
        open_key="batch_open_last",
        open_icon=":material/folder_open:",
        on_open=lambda: reopen(batch_id),
    )


def resume_button(live: LiveBatch, on_click: Callable[[], None]) -> None:
    """Resume, when a finished batch has jobs with no saved run at all."""
    if live.running:
        return
    try:
        missing = live.missing()
    except VisionError as err:
        st.caption(f":material/block: {err}")
        return
    if missing:
        st.button(
            f"Resume: ask the {missing} missing",
            key="batch_resume",
            icon=":material/play_circle:",
            on_click=on_click,
            help="Asks only the jobs without a saved answer or error.",
        )


def scored_downloads(store: HistoryStore, batch_id: str, metric: MetricName) -> None:
    """Per-item CSV and JSONL with scores, and the self-contained HTML report."""
    runs = store.batch_runs(batch_id, images=reads_images(metric), thumbnails=False)
    outcomes = score_runs(runs, metric, unscored=True)
    columns = st.columns(3)
    columns[0].download_button(
        "Scores per item (CSV)",
        "".join(csv_lines(outcomes)),
        file_name=f"batch-{batch_id}-items.csv",
        mime="text/csv",
        key="batch_items_csv",
        on_click="ignore",
    )
    columns[1].download_button(
        "Scores per item (JSONL)",
        "".join(jsonl_lines(outcomes)),
        file_name=f"batch-{batch_id}-items.jsonl",
        mime="application/jsonl",
        key="batch_items_jsonl",
        on_click="ignore",
    )
    columns[2].download_button(
        "Report (HTML)",
        report_for_batch(store, batch_id, outcomes, scoring=metric, metric=metric),
        file_name=f"batch-{batch_id}-report.html",
        mime="text/html",
        key="batch_report",
        on_click="ignore",
    )
