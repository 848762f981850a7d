"""The Batch page: many images × several models, progress, results, checks, blind votes, exports.

Registered in the router as a file page, so Streamlit runs this file on each visit.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from ui.batch.inputs import BatchPlan, batch_inputs
from ui.batch.kept import earlier_batches, newest_batch_offer, resume_button, scored_downloads
from ui.batch.progress import draw_kept_progress
from ui.batch.results import draw_grid, draw_model_stats, draw_pass_rates, scored_by
from ui.batch.scoring import scores_tab
from ui.batch.sweep import sweep_panel
from ui.batch.votes import leaderboard_panel, vote_panel
from ui.shared.backend import client_for, echo_backend
from ui.shared.exports import download_buttons
from ui.shared.models import catalog_for
from ui.shared.session import BATCH_ELSEWHERE_KEY, BATCH_KEY, BATCH_TABS_KEY, BATCH_WATCHING_KEY
from ui.shared.sidebar import choose_backend
from ui.shared.spending import batch_budget_blocker
from ui.shared.store import history_store
from vision.api.catalog import Catalog
from vision.batch.items.uploads import PageItems
from vision.batch.queue.submit import QueuedBatch, queue_mode, queue_refusal, runs_on_workers
from vision.batch.recorded.naming import batch_title, export_title
from vision.batch.recorded.spec import BatchSpec, load_spec, page_spec
from vision.batch.running.in_process import LiveBatch, running_batch
from vision.connection import Backend, new_client
from vision.errors import HistoryError, VisionError
from vision.history.store import HistoryStore
from vision.markdown import literal
from vision.scoring.checks import CHECK_KINDS
from vision.scoring.metrics import MetricName
from vision.values.batch import BatchView, request_count
from vision.values.kept_batch import KeptProgress
from vision.values.run import Run
from vision.words import counted

# How often the progress panel redraws while a batch runs (the rest of the page stays idle).
PROGRESS_EVERY_S = 0.5
# How often a batch running elsewhere (another tab or replica, a worker) is read from the store.
ELSEWHERE_EVERY_S = 1.0
RUNNING_ELSEWHERE = (
    "This batch is running in another tab or on another replica: its progress is shown on "
    "this page, and its results when it ends."
)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _start(backend: Backend, store: HistoryStore, plan: BatchPlan, items: PageItems) -> None:
    # Team mode: the workers run a batch on the team's key; the echo's runs here (docs/team.md).
    if runs_on_workers(store, backend.key_kind):
        st.session_state[BATCH_KEY] = QueuedBatch.queue(
            store,
            items,
            plan.models,
            concurrency=plan.concurrency,
            options=plan.options,
            tag=items.tag,
            repeats=plan.repeats,
        )
        st.session_state[BATCH_WATCHING_KEY] = True
        return
    st.session_state[BATCH_KEY] = LiveBatch(
        client=partial(new_client, backend),
        store=store,
        items=items,
        spec=page_spec(
            items,
            plan.models,
            concurrency=plan.concurrency,
            options=plan.options,
            key_kind=backend.key_kind,
            tag=items.tag,
            repeats=plan.repeats,
        ),
        use_cache=plan.use_cache,
    ).start()
    st.session_state[BATCH_WATCHING_KEY] = True


def _reopen(store: HistoryStore, backend: Backend | None, batch_id: str) -> None:
    if backend is None:
        return
    try:
        spec = load_spec(store, batch_id)
        if runs_on_workers(store, spec.key_kind):
            st.session_state[BATCH_KEY] = QueuedBatch(store, batch_id, spec)
            return
        if _running_elsewhere(store, batch_id):
            # Resuming it here would ask its jobs twice; its progress is on the page already.
            st.toast(RUNNING_ELSEWHERE, icon=":material/sync:")
            return
        st.session_state[BATCH_KEY] = LiveBatch.reopen(
            store, batch_id, partial(new_client, _resumed_on(store, backend, spec))
        )
    except VisionError as err:
        st.session_state.pop(BATCH_KEY, None)
        st.toast(str(err), icon=":material/error:")


def _resumed_on(store: HistoryStore, backend: Backend, spec: BatchSpec) -> Backend:
    """The backend a reopened batch resumes on: the sidebar's, but in team mode a batch asked
    on the echo stays on the echo (the team's key never pays for it)."""
    if queue_mode(store) and spec.key_kind == "echo" and not backend.is_echo:
        return replace(echo_backend(), workspace=backend.workspace)
    return backend


def _resume() -> None:
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    if live is not None:
        live.resume()
        st.session_state[BATCH_WATCHING_KEY] = True


def _retry() -> None:
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    if live is not None:
        live.retry()
        st.session_state[BATCH_WATCHING_KEY] = True


def _cancel() -> None:
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    if live is not None:
        live.cancel()


def _running_elsewhere(store: HistoryStore, batch_id: str) -> bool:
    if running_batch(store.workspace, batch_id) is not None:
        return False  # this process runs it: reopening is safe
    progress = store.batch_progress(batch_id)
    return progress is not None and progress.active()


def _elsewhere(store: HistoryStore) -> list[KeptProgress]:
    """This person's batches that run somewhere other than this session, from the store."""
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    own = live.batch_id if live is not None else None
    return [progress for progress in store.active_batches() if progress.batch_id != own]


def _watch_elsewhere(store: HistoryStore, backend: Backend | None) -> tuple[str, ...]:
    """The batches running elsewhere now; one the page saw running before that has ended since
    is opened here to show its results (unless this session runs a batch of its own)."""
    try:
        active = tuple(progress.batch_id for progress in _elsewhere(store))
    except VisionError as err:
        st.caption(f":material/error: {err}")
        return ()
    ended = [batch_id for batch_id in st.session_state.get(BATCH_ELSEWHERE_KEY, ())
             if batch_id not in active]  # fmt: skip
    st.session_state[BATCH_ELSEWHERE_KEY] = active
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    if ended and (live is None or not live.running):
        _reopen(store, backend, ended[0])
    return active


def _elsewhere_panel(store: HistoryStore, watched: tuple[str, ...]) -> None:
    """Progress of the batches running elsewhere, redrawn on its own; the whole page runs again
    when one of them ends."""
    try:
        active = _elsewhere(store)
    except VisionError as err:
        st.caption(f":material/error: {err}")
        return
    names = {
        batch.id: batch_title(batch)
        for batch in store.kept_batches(len(active), ids=[p.batch_id for p in active])
    }
    for progress in active:
        draw_kept_progress(progress, names.get(progress.batch_id))
    still = {progress.batch_id for progress in active}
    if any(batch_id not in still for batch_id in watched):
        st.rerun(scope="app")


def _progress_panel() -> None:
    """Progress, counts, time left and Cancel; redrawn on its own while the batch runs."""
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    if live is None:
        return
    view = live.view()
    if not view.running:
        if st.session_state.pop(BATCH_WATCHING_KEY, False):
            st.rerun(scope="app")  # the batch ended: draw the results
        return
    progress = view.progress
    total = progress.total if progress else view.total
    finished = progress.finished if progress else 0
    failed = progress.failed if progress else 0
    text = f"{finished} of {total} answers"
    if failed:
        text += f" · {failed} failed"
    if progress:
        text += f" · {progress.running} in flight · about {_duration(progress.eta_s)} left"
    if view.cancelling:
        text += " · cancelling: waiting for the requests in flight"
    st.progress(finished / total if total else 0.0, text=text)
    st.button(
        "Cancel",
        key="batch_cancel",
        icon=":material/stop_circle:",
        on_click=_cancel,
        disabled=view.cancelling,
        help="Stop starting new requests; answers already in are kept.",
    )


def _summary(store: HistoryStore, view: BatchView) -> None:
    runs = view.ordered_runs()
    answered = sum(not run.failed for run in runs)
    failed = len(view.failed)
    kept = store.kept_batches(1, ids=[view.batch_id])
    name = literal(batch_title(kept[0])) if kept else f"Batch `{view.batch_id}`"
    parts = [f"**{name}**", f"{answered} answered"]
    if failed:
        parts.append(f"{failed} failed")
    if view.skipped:
        parts.append(f"{view.skipped} not run")
    parts.append(f"batch `{view.batch_id}`")  # what `vision eval --resume` takes
    st.markdown(" · ".join(parts))
    if view.cancelled:
        st.info(
            "Cancelled: the answers that came in are kept and saved; Retry runs the rest.",
            icon=":material/stop_circle:",
        )
    if view.problem:
        st.error(view.problem, icon=":material/error:")
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    if live is not None:
        resume_button(live, _resume)
    if view.retryable:
        st.button(
            f"Retry {failed + view.skipped} failed or skipped",
            key="batch_retry",
            icon=":material/replay:",
            on_click=_retry,
        )


def _vote_view(store: HistoryStore, view: BatchView, runs: list[Run]) -> None:
    """Blind voting and the leaderboard; drawn only while its tab is open."""
    if view.running:
        st.caption("Voting opens when the batch has finished.")
        return
    vote_panel(store, runs, key="batch_vote")
    st.divider()
    everywhere = st.toggle("Leaderboard over every batch", key="board_everywhere")
    votes = store.votes() if everywhere else store.votes(batch_id=view.batch_id)
    leaderboard_panel(votes, runs, key="batch_board")


def _results(
    store: HistoryStore,
    view: BatchView,
    backend: Backend | None,
    catalog: Catalog | None,
    metric: MetricName,
) -> None:
    _summary(store, view)
    runs = view.ordered_runs()
    if not runs:
        return
    # The tabs say which one is open, so the vote view (and its keyboard shortcuts) is drawn
    # only while it is on screen: a key pressed on another tab casts nothing.
    results_tab, scores, vote_tab, export_tab = st.tabs(
        ["Results", "Judge & circular", "Blind vote", "Export"],
        key=BATCH_TABS_KEY,
        on_change="rerun",
    )
    with scores:
        scores_tab(store, backend, catalog, view.batch_id, runs, running=view.running)
    with results_tab:
        if any(run.expected or run.locate for run in runs):
            scored_by(metric)
        draw_grid(runs, view.models, metric)
        draw_pass_rates(runs, metric)
        draw_model_stats(runs)
    if vote_tab.open:
        with vote_tab:
            _vote_view(store, view, runs)
    with export_tab:
        download_buttons(
            runs,
            name=f"batch-{view.batch_id}",
            key="batch_export",
            title=export_title(store, view.batch_id),
            check=metric if metric in CHECK_KINDS else "contains",
        )
        if not view.running:
            scored_downloads(store, view.batch_id, metric)


def render() -> None:
    """Draw the page."""
    with st.sidebar:
        backend = choose_backend()
    st.title("Batch evaluation")
    st.caption(
        "Run many images through several models, check the answers, vote blind, export. "
        "Every answer is saved to the history as soon as it arrives."
    )
    try:
        store = history_store()
    except HistoryError as err:
        st.error(str(err), icon=":material/error:")
        return
    newest_batch_offer(store, partial(_reopen, store, backend))
    elsewhere = _watch_elsewhere(store, backend)
    if elsewhere:
        st.fragment(_elsewhere_panel, run_every=ELSEWHERE_EVERY_S)(store, elsewhere)
    live: LiveBatch | None = st.session_state.get(BATCH_KEY)
    running = live is not None and live.running
    catalog = catalog_for(client_for(backend), backend.identity) if backend else None
    plan = batch_inputs(catalog, disabled=running)
    if plan.problem is None and not running and backend is not None:
        # The same budget for a batch run here or queued, before anything is kept or queued.
        over = queue_refusal(store, backend.key_kind) or batch_budget_blocker(
            backend, plan.items, plan.models, plan.options.max_tokens, catalog, plan.repeats
        )
        plan = replace(plan, problem=over) if over else plan
    run_slot, why_slot = st.columns([2, 8], vertical_alignment="center")
    with run_slot:
        clicked = st.button(
            "Run batch",
            key="batch_run",
            type="primary",
            icon=":material/play_arrow:",
            disabled=running or plan.problem is not None,
            width="stretch",
        )
    with why_slot:
        if running:
            st.caption("A batch is running: the inputs come back when it ends or is cancelled.")
        elif plan.problem:
            st.caption(f":material/block: {plan.problem}")
        else:
            jobs = request_count(plan.count, len(plan.models), plan.repeats)
            repeated = f" × {plan.repeats} repeats" if plan.repeats > 1 else ""
            st.caption(
                f"{counted(plan.count, 'image')} × {counted(len(plan.models), 'model')}"
                f"{repeated} = {counted(jobs, 'request')}"
            )
    sweep_panel(backend, store, catalog, plan, disabled=running, queued=queue_mode(store))
    ready = plan.items is not None and plan.problem is None and not running
    if clicked and backend is not None and ready and plan.items is not None:
        _start(backend, store, plan, plan.items)
        live = st.session_state[BATCH_KEY]
        running = True
    if not running:
        earlier_batches(store, partial(_reopen, store, backend))
    st.fragment(_progress_panel, run_every=PROGRESS_EVERY_S if running else None)()
    if live is not None:
        _results(store, live.view(), backend, catalog, plan.metric)


if __name__ == "__main__":
    render()
