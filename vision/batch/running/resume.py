"""A recorded batch asked for what it still lacks (everything, when it is new), saving each
answer as it arrives, so a killed batch resumes where it was; the batch's state says running,
then done or cancelled."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vision.batch.recorded.missing import Missing, missing_jobs, nothing_yet, pending_work
from vision.batch.recorded.spec import BatchSpec
from vision.batch.running.answer_cache import StoreCache
from vision.batch.running.ask import check_batch
from vision.batch.running.engine import EngineOutcome, EngineSettings, run_jobs
from vision.values.batch import BatchJob, BatchProgress, BatchResult, PreparePool, Resolution
from vision.values.request import ChatClient
from vision.values.run import Run

if TYPE_CHECKING:
    # Only for types: a new batch's first requests go out while the store is still importing.
    from vision.history.store import HistoryStore


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedSettings:
    """Which jobs of a recorded batch a run asks, and how.

    A `new` batch has nothing saved, so every job is asked; otherwise only those without a saved
    run, and with retry_errors its failures too (only those saved in runs up to errors_through,
    when it is set). `within` limits the run to a chunk's items; record_state=False leaves the
    batch's state alone (a worker's chunk: the queue says when the batch is done)."""

    new: bool = False
    retry_errors: bool = False
    errors_through: int | None = None
    within: range | None = None
    use_cache: bool = True
    prepare_pool: PreparePool = "threads"
    record_state: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Observers:
    """Who hears of a recorded batch as it runs, and the event that cancels it: the plan (what
    is missing) before any request, then each result once saved (with its saved run), and the
    progress after it."""

    on_plan: Callable[[Missing], None] | None = None
    on_saved: Callable[[BatchResult, Run], None] | None = None
    on_result: Callable[[BatchResult], None] | None = None
    on_progress: Callable[[BatchProgress], None] | None = None
    cancel: threading.Event | None = None


def run_recorded(
    client: ChatClient,
    store: HistoryStore | Future[HistoryStore],
    batch_id: str,
    spec: BatchSpec,
    settings: RecordedSettings | None = None,
    observers: Observers | None = None,
) -> EngineOutcome:
    """Ask what the batch still lacks, saving each result before reporting it; the batch's
    state says running, then done or cancelled.

    A new batch has nothing saved yet, so its first requests need no store: given a store that
    is still opening (a Future), they go out while it opens, and results wait for it.
    """
    how = settings or RecordedSettings()
    hear = observers or Observers()
    check_batch(spec.models, spec.concurrency)
    source = spec.open(None if isinstance(store, Future) else store)
    # A repeat is asked again by definition: a repeated batch never reads the cache.
    deterministic = spec.temperature == 0 and how.use_cache and spec.repeats == 1
    if isinstance(store, Future):
        pending = store
        if not how.new or deterministic:
            pending.result()
    else:
        pending = Future()
        pending.set_result(store)

    def record(ready: Future[HistoryStore]) -> None:
        if how.record_state and ready.exception() is None:
            ready.result().save_batch(batch_id, spec.to_json(), state="running")

    pending.add_done_callback(record)
    if how.new:
        missing = nothing_yet(spec, source)
    else:
        missing = missing_jobs(
            pending.result(),
            batch_id,
            spec,
            source,
            retry_errors=how.retry_errors,
            within=how.within,
            errors_through=how.errors_through,
        )
    if hear.on_plan is not None:
        hear.on_plan(missing)

    saved_runs: dict[BatchJob, Run] = {}

    def save(result: BatchResult) -> None:
        # On the request's thread: each slot saves its own answer, none waits for another's.
        saved_runs[result.job] = pending.result().save_run(
            result.to_run(), originals=result.originals(copy_files=spec.keep_originals)
        )

    def report(result: BatchResult) -> None:
        saved = saved_runs.pop(result.job)
        if hear.on_saved is not None:
            hear.on_saved(result, saved)
        if hear.on_result is not None:
            hear.on_result(result)

    engine = EngineSettings(
        concurrency=spec.concurrency,
        options=spec.options,
        batch_id=batch_id,
        cache=StoreCache(pending.result()) if deterministic else None,
        prepare_pool=how.prepare_pool,
        resolution=Resolution(token_budget=spec.token_budget, max_side=spec.max_side),
        frames=dict(spec.frames),
    )
    outcome = run_jobs(
        client,
        pending_work(source, spec, missing, how.within),
        total=missing.to_ask,
        settings=engine,
        on_result=report,
        on_progress=hear.on_progress,
        cancel=hear.cancel,
        save=save,
    )
    if how.record_state:
        pending.result().set_batch_state(batch_id, "cancelled" if outcome.cancelled else "done")
    return outcome
