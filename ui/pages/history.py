"""The History page: search and filter saved runs; reopen, rerun, delete or export each one.

Registered in the router as a file page, so Streamlit runs this file on each visit.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import streamlit as st

from ui.playground.reopen import reopen_run
from ui.shared.backend import Backend, client_for
from ui.shared.exports import copy_as_code, download_buttons, forget_code
from ui.shared.session import HISTORY_FLASH_KEY, HISTORY_REBUILT_KEY
from ui.shared.sidebar import choose_backend
from ui.shared.store import history_store
from ui.shared.thumbnails import thumbnail_data_url
from vision.api.catalog import short_name
from vision.api.request import ChatRequest
from vision.errors import HistoryError, VisionError, without_traceback
from vision.history.export import usage_line
from vision.history.records import Run
from vision.history.replay import rebuild_request, rerun
from vision.history.store import HistoryStore
from vision.markdown import answer_markdown, clip, literal

ALL = "All"
PAGE_SIZE = 50


def _flash(message: str) -> None:
    st.session_state[HISTORY_FLASH_KEY] = message


def _filters(store: HistoryStore) -> dict[str, Any]:
    text_box, model_box, tag_box, dates_box = st.columns([4, 3, 2, 3])
    with text_box:
        text = st.text_input(
            "Search", key="history_text", placeholder="Words in a prompt or an answer"
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
    return {
        "text": (text or "").strip() or None,
        "model": None if model == ALL else model,
        "tag": None if tag == ALL else tag,
        "since": since,
        "until": until,
    }


def _rerun(store: HistoryStore, backend: Backend | None, run: Run) -> None:
    if backend is None:
        _flash("Add an API key in the sidebar, or turn on the echo backend, to rerun.")
        return
    with st.spinner(f"Asking {short_name(run.model)} again…"):
        try:
            saved = rerun(run, store, client_for(backend))
        except VisionError as err:
            _flash(str(err))
            return
    _flash(f"Rerun saved as run {saved.id}: it is at the top of the list.")


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
            _reopen(store, run)
    with rerun:
        if st.button("Rerun", key=f"rerun_{run.id}", icon=":material/replay:"):
            _rerun(store, backend, run)
            st.rerun()
    with delete:
        if st.button("Delete", key=f"delete_{run.id}", icon=":material/delete:"):
            store.delete_run(run.id)
            _flash(f"Run {run.id} deleted.")
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


def _run_card(store: HistoryStore, backend: Backend | None, run: Run) -> None:
    with st.container(border=True):
        where = [f"run {run.id}", run.kind.replace("_", " ")]
        if run.batch_id:
            where.append(f"batch {run.batch_id}")
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
                st.image(thumbnails, width=72)
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
                st.markdown(answer_markdown(run.answer) or "_(empty answer)_")
            st.caption(usage_line(run))
        _actions(store, backend, run)


def _reopen(store: HistoryStore, run: Run) -> None:
    for note in reopen_run(store, run):
        _flash(note)
    st.switch_page("ui/pages/playground.py")


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
        filters = _filters(store)
        runs = store.search_runs(**filters, limit=PAGE_SIZE)
    except HistoryError as err:
        st.error(str(err), icon=":material/error:")
        return
    if not runs:
        st.caption("No saved runs match." if any(filters.values()) else "No saved runs yet.")
        return
    shown = f"the newest {PAGE_SIZE}" if len(runs) == PAGE_SIZE else f"{len(runs)}"
    st.caption(f"Showing {shown} matching run(s). Narrow the search to find older ones.")
    with st.expander(f"Export these {len(runs)} run(s)"):
        download_buttons(runs, name="history", key="history_export", title="History export")
    batches = {run.batch_id for run in runs if run.batch_id}
    if batches:
        with st.expander("Export a whole batch"):
            batch = st.selectbox("Batch", sorted(batches), key="history_batch")
            download_buttons(
                store.batch_runs(batch), name=f"batch-{batch}", key="batch_export",
                title=f"Batch {batch}",
            )  # fmt: skip
    for run in runs:
        _run_card(store, backend, run)


if __name__ == "__main__":
    render()
