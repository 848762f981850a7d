"""The History page: search and filter saved runs; reopen, rerun, delete, export or share each one.

Registered in the router as a file page, so Streamlit runs this file on each visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import streamlit as st

from ui.playground.reopen import reopen_run, rerun_run
from ui.shared.backend import client_for
from ui.shared.exports import copy_as_code, download_buttons, forget_code
from ui.shared.session import (
    HISTORY_FLASH_KEY,
    HISTORY_PAGE_RUNS_KEY,
    HISTORY_PAGINATION_KEY,
    HISTORY_REBUILT_KEY,
    HISTORY_RUN_KEY,
    HISTORY_TABLE_KEY,
    HISTORY_UNDO_KEY,
    REOPEN_NOTES_KEY,
)
from ui.shared.sharing import share_control
from ui.shared.sidebar import choose_backend
from ui.shared.store import history_store
from ui.shared.thumbnails import thumbnail_data_url
from vision.api.catalog import short_name
from vision.batch.recorded.groups import batch_key, group_key, group_names, grouped
from vision.batch.recorded.naming import export_title
from vision.connection import Backend
from vision.errors import HistoryError, VisionError, without_traceback
from vision.export.runs import usage_line
from vision.history.replay import rebuild_request
from vision.history.store import HistoryStore
from vision.markdown import EMPTY_ANSWER, answer_markdown, clip, literal
from vision.values.request import ChatRequest
from vision.values.run import Run, RunFilter
from vision.words import counted

ALL = "All"
PAGE_SIZE = 25


def _flash(message: str) -> None:
    st.session_state[HISTORY_FLASH_KEY] = message


def _filters(store: HistoryStore) -> RunFilter:
    text_box, model_box, tag_box, dates_box = st.columns([4, 3, 2, 3])
    with text_box:
        text = st.text_input(
            "Search", key="history_text", placeholder="Words in a prompt, an answer or a file name"
        )
    with model_box:
        model = st.selectbox("Model", [ALL, *store.models()], key="history_model")
    with tag_box:
        tag = st.selectbox("Tag", [ALL, *store.tags()], key="history_tag")
    with dates_box:
        dates = st.date_input("Dates (UTC)", value=[], key="history_dates", format="YYYY-MM-DD")
    chosen = list(dates) if isinstance(dates, tuple | list) else [dates]
    since = datetime.combine(chosen[0], time.min, tzinfo=UTC) if chosen else None
    last = chosen[-1] if chosen else None
    until = datetime.combine(last, time.min, tzinfo=UTC) + timedelta(days=1) if last else None
    return RunFilter(
        text=(text or "").strip() or None,
        model=None if model == ALL else model,
        tag=None if tag == ALL else tag,
        since=since,
        until=until,
    )


def _rerun(store: HistoryStore, backend: Backend | None, run: Run) -> None:
    """Ask the run again on the Playground: the new answer streams beside the kept one."""
    if backend is None:
        _flash("Add an API key in the sidebar, or turn on the echo backend, to rerun.")
        return
    try:
        notes = rerun_run(store, run, client_for(backend))
    except VisionError as err:
        _flash(str(err))
        return
    # Said on the Playground, where the person lands and misses the images.
    st.session_state[REOPEN_NOTES_KEY] = notes
    st.switch_page("ui/pages/playground.py")


def _rebuilt(store: HistoryStore, run: Run) -> ChatRequest | VisionError:
    """The run's request, rebuilt once while its code is shown: rebuilding prepares each image."""
    cache: dict[int, ChatRequest | VisionError] = st.session_state.setdefault(
        HISTORY_REBUILT_KEY, {}
    )
    if run.id not in cache:
        try:
            cache[run.id] = rebuild_request(run, store)
        except VisionError as err:
            cache[run.id] = without_traceback(err)
    return cache[run.id]


def _actions(store: HistoryStore, backend: Backend | None, run: Run) -> None:
    reopen, rerun, delete, more = st.columns([2, 2, 2, 3])
    with reopen:
        if st.button(
            "Reopen",
            key=f"reopen_{run.id}",
            icon=":material/open_in_new:",
            help="Put this prompt, model and images back on the Playground.",
        ):
            _reopen(store, backend, run)
    with rerun:
        if st.button(
            "Rerun",
            key=f"rerun_{run.id}",
            icon=":material/replay:",
            help="Ask this again on the Playground: the new answer beside this one.",
        ):
            _rerun(store, backend, run)
            st.rerun()
    with delete:
        if st.button("Delete", key=f"delete_{run.id}", icon=":material/delete:"):
            store.delete_run(run.id)
            _flash(f"Run {run.id} deleted.")
            st.session_state[HISTORY_UNDO_KEY] = run.id
            st.rerun()
    with more:
        show = st.toggle("Export and code", key=f"more_{run.id}")
    if not show:
        st.session_state.get(HISTORY_REBUILT_KEY, {}).pop(run.id, None)
        forget_code(f"code_{run.id}")
        return
    download_buttons([run], name=f"run-{run.id}", key=f"export_{run.id}", title=f"Run {run.id}")
    request = _rebuilt(store, run)
    if isinstance(request, VisionError):
        st.caption(f"Copy as code is not available: {request}")
    else:
        copy_as_code(request, key=f"code_{run.id}")


def _run_card(
    store: HistoryStore, backend: Backend | None, run: Run, names: dict[str, str]
) -> None:
    """The chosen run in full: its images, prompt, answer, usage and what can be done with it."""
    with st.container(border=True):
        where = [f"run {run.id}", run.kind.replace("_", " ")]
        if run.batch_id:
            where.append(names.get(group_key(run), f"batch {run.batch_id}"))
        if run.tag:
            where.append(f"tag {run.tag}")
        st.markdown(
            f"**{literal(short_name(run.model))}** · {run.created_at:%Y-%m-%d %H:%M:%S} UTC · "
            + " · ".join(literal(part) for part in where)
        )
        thumbnails = [thumbnail_data_url(image) for image in run.images if image.thumbnail]
        if thumbnails:
            pictures, body = st.columns([1, 5])
            with pictures:
                labels = [image.label for image in run.images if image.thumbnail]
                st.image(thumbnails, width=72, caption=labels, alt=labels)
        else:
            body = st.container()
        with body:
            st.caption(f"Prompt: {literal(clip(run.prompt, 400))}")
            urls = [image.url for image in run.images if image.url]
            if urls:
                st.caption("Image URLs: " + ", ".join(literal(clip(url, 80)) for url in urls))
            if run.failed:
                st.error(run.error or "", icon=":material/error:")
            else:
                st.markdown(answer_markdown(run.answer) or EMPTY_ANSWER)
            st.caption(usage_line(run))
        share_control("run", run.id, key=f"history_run_{run.id}")
        _actions(store, backend, run)


def _row(run: Run, names: dict[str, str]) -> dict[str, Any]:
    picture = next((image for image in run.images if image.thumbnail), None)
    return {
        "run": run.id,
        "image": thumbnail_data_url(picture) if picture else None,
        "when (UTC)": run.created_at.strftime("%Y-%m-%d %H:%M"),
        "model": short_name(run.model),
        "asked in": names.get(group_key(run), ""),
        "files": ", ".join(image.label for image in run.attached),
        "prompt": clip(run.prompt, 80),
        "answer": clip(run.error or run.answer, 120),
        "tokens": run.usage.total_tokens,
    }


def _choose(key: str) -> None:
    """The table's row click: that run becomes the one shown in full below."""
    rows = st.session_state[key]["selection"]["rows"]
    runs: list[int] = st.session_state.get(HISTORY_PAGE_RUNS_KEY, [])
    if rows and rows[0] < len(runs):
        st.session_state[HISTORY_RUN_KEY] = runs[rows[0]]


def _table(runs: Sequence[Run], names: dict[str, str]) -> None:
    """One compact row per run; a click shows it in full below."""
    st.session_state[HISTORY_PAGE_RUNS_KEY] = [run.id for run in runs]
    st.dataframe(
        [_row(run, names) for run in runs],
        key=HISTORY_TABLE_KEY,
        hide_index=True,
        on_select=lambda: _choose(HISTORY_TABLE_KEY),
        selection_mode="single-row",
        column_config={
            "run": st.column_config.NumberColumn("run", width="small", format="%d"),
            "image": st.column_config.ImageColumn("image", width="small"),
            "tokens": st.column_config.NumberColumn("tokens", format="%d"),
        },
        width="stretch",
    )


def _reopen(store: HistoryStore, backend: Backend | None, run: Run) -> None:
    client = client_for(backend) if backend is not None else None
    # Said on the Playground, where the person lands and misses the images.
    st.session_state[REOPEN_NOTES_KEY] = reopen_run(store, run, client)
    st.switch_page("ui/pages/playground.py")


def _undo_notice(store: HistoryStore) -> None:
    """After a delete: the way back, until the next delete or a restore."""
    deleted: int | None = st.session_state.get(HISTORY_UNDO_KEY)
    if deleted is None:
        return
    if st.button(f"Undo: bring run {deleted} back", key=f"undo_{deleted}", icon=":material/undo:"):
        st.session_state.pop(HISTORY_UNDO_KEY, None)
        if store.restore_run(deleted):
            _flash(f"Run {deleted} is back.")
        st.rerun()


def render() -> None:
    """Draw the page."""
    with st.sidebar:
        backend = choose_backend()
    st.title("History")
    st.caption(
        "Every answer the app received, newest first: search it, reopen a request on the "
        "Playground, run it again, export it, or delete it."
    )
    try:
        store = history_store()
        if message := st.session_state.pop(HISTORY_FLASH_KEY, None):
            st.info(message, icon=":material/info:")
        _undo_notice(store)
        filters = _filters(store)
        total = store.count_runs(filters)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(int(st.session_state.get(HISTORY_PAGINATION_KEY, 1) or 1), pages)
        runs = store.search_runs(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except HistoryError as err:
        st.error(str(err), icon=":material/error:")
        return
    if not runs:
        st.caption("No saved answers match." if filters.narrows else "No saved answers yet.")
        return
    first = (page - 1) * PAGE_SIZE + 1
    st.caption(
        f"Answers {first}–{first + len(runs) - 1} of {total}, newest first. The answers of one "
        "conversation, or of one batch, are listed next to each other."
    )
    ordered = grouped(runs)
    names = group_names(store, ordered)
    _table(ordered, names)
    if pages > 1:
        st.pagination(pages, key=HISTORY_PAGINATION_KEY, default=page)
    ids = [run.id for run in ordered]
    if st.session_state.get(HISTORY_RUN_KEY) not in ids:
        st.session_state[HISTORY_RUN_KEY] = ids[0]
    by_id = {run.id: run for run in ordered}
    chosen = st.selectbox(
        "Run shown in full (or click a row above)",
        ids,
        key=HISTORY_RUN_KEY,
        format_func=lambda run_id: (
            f"run {run_id} · {short_name(by_id[run_id].model)} · {clip(by_id[run_id].prompt, 60)}"
        ),
    )
    _run_card(store, backend, by_id[chosen], names)
    with st.expander(f"Export these {counted(len(runs), 'answer')}"):
        download_buttons(runs, name="history", key="history_export", title="History export")
    batches = {run.batch_id for run in runs if run.batch_id}
    if batches:
        with st.expander("Export a whole batch"):
            batch = st.selectbox(
                "Batch",
                sorted(batches),
                key="history_batch",
                format_func=lambda batch_id: names.get(batch_key(batch_id), batch_id),
            )
            download_buttons(
                store.batch_runs(batch),
                name=f"batch-{batch}",
                key="batch_export",
                title=export_title(store, batch),
            )


if __name__ == "__main__":
    render()
