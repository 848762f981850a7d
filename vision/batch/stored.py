"""A batch recorded in the history: what it was asked to do, what is still missing, and a run
that asks only that, saving each answer as it arrives (so a killed batch resumes where it was).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from vision.batch.cache import StoreCache
from vision.batch.engine import EngineOutcome, EngineSettings, PreparePool, Work, run_jobs
from vision.batch.kept import KEPT_SOURCE, KeptItems, item_manifest
from vision.batch.preparation import Resolution
from vision.batch.runner import check_batch
from vision.batch.sources import ItemSource, open_source
from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.values.batch import BatchItem, BatchJob, BatchProgress, BatchResult
from vision.values.request import ChatClient, RequestOptions
from vision.values.run import Run

if TYPE_CHECKING:
    # Only for types: a new batch's first requests go out while the store is still importing.
    from vision.history.store import HistoryStore

BATCH_STATES = ("queued", "running", "done", "cancelled")


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSpec:
    """What a batch asks: its input, prompt, models and request options."""

    source: str
    prompt: str
    models: tuple[str, ...]
    tag: str | None = None
    system: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    circular: bool = False
    # A resolution sweep's setting for this batch (vision/batch/preparation.py Resolution).
    token_budget: int | None = None
    max_side: int | None = None
    # A page's batch lists its items here (vision/batch/kept.py); a file's batch reads `source`.
    items: tuple[dict[str, Any], ...] | None = field(default=None, repr=False)

    @property
    def options(self) -> RequestOptions:
        """The request options every job of the batch is sent with."""
        return RequestOptions(
            system=self.system, temperature=self.temperature, max_tokens=self.max_tokens
        )

    def open(self, store: HistoryStore | None = None) -> ItemSource | KeptItems:
        """The batch's items, read lazily from its input (or, for a page's, from `store`)."""
        if self.items is not None:
            if store is None:
                raise RequestError("A page's batch is read from its history; open the store.")
            return KeptItems(store=store, manifest=self.items)
        return open_source(self.source, self.prompt, tag=self.tag, circular=self.circular)

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON values, for the batches table."""
        values = {**asdict(self), "models": list(self.models), "version": 1}
        values["items"] = list(self.items) if self.items is not None else None
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> BatchSpec:
        """A spec read back from the batches table."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        items = known.get("items")
        return cls(
            **{
                **known,
                "models": tuple(known.get("models", ())),
                "items": tuple(items) if items is not None else None,
            }
        )


def kept_spec(
    store: HistoryStore,
    items: Sequence[BatchItem],
    models: Sequence[str],
    *,
    concurrency: int,
    options: RequestOptions,
) -> BatchSpec:
    """A page's items as a batch's spec, their images kept in the history by hash."""
    if not items:
        raise RequestError("Add at least one image to the batch.")
    return BatchSpec(
        source=KEPT_SOURCE,
        prompt=items[0].prompt,
        models=tuple(models),
        system=options.system,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        concurrency=concurrency,
        items=tuple(item_manifest(store, items)),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Missing:
    """A recorded batch's jobs: how many in all, answered, failed, and which are to be asked."""

    total: int
    answered: int
    failed: int
    to_ask: int
    states: dict[tuple[int, str], tuple[str | None, bool]] = field(repr=False)
    retry_errors: bool
    # The failed jobs asked again: every one with retry_errors, or those a Retry saw.
    asked_again: frozenset[tuple[int, str]] = field(default=frozenset(), repr=False)

    def wanted(self, job: BatchJob) -> bool:
        """True when this job has no answer yet (and is not a failure left alone)."""
        key = (job.item_index, job.model)
        return key not in self.states or key in self.asked_again


def missing_jobs(
    store: HistoryStore,
    batch_id: str,
    spec: BatchSpec,
    source: ItemSource | KeptItems,
    *,
    retry_errors: bool,
    within: range | None = None,
    errors_through: int | None = None,
) -> Missing:
    """What a batch (or its items `within` a range) still lacks, from the runs saved so far
    (an answer beats a failure). With retry_errors its failures are asked again; with
    errors_through too, only those whose newest run is no later than that run id (the ones a
    Retry saw), so a failure the retry itself saved is not asked a second time."""
    states: dict[tuple[int, str], tuple[str | None, bool]] = {}
    newest: dict[tuple[int, str], int] = {}
    for index, model, name, failed, run_id in store.batch_jobs(batch_id):
        known = states.get((index, model))
        states[(index, model)] = (name, failed and (known is None or known[1]))
        newest[(index, model)] = run_id
    models = set(spec.models)
    mine = {
        key: state
        for key, state in states.items()
        if key[1] in models and (within is None or key[0] in within)
    }
    items = source.count()
    if within is not None:
        items = len(range(within.start, min(within.stop, items)))
    total = items * len(spec.models)
    answered = sum(not failed for _, failed in mine.values())
    failures = len(mine) - answered
    asked_again = frozenset(
        key
        for key, (_, failed) in mine.items()
        if failed and retry_errors and (errors_through is None or newest[key] <= errors_through)
    )
    to_ask = total - answered - failures + len(asked_again)
    return Missing(
        total=total,
        answered=answered,
        failed=failures,
        to_ask=max(0, to_ask),
        states=mine,
        retry_errors=retry_errors,
        asked_again=asked_again,
    )


def pending_work(
    source: ItemSource | KeptItems, spec: BatchSpec, missing: Missing, within: range | None = None
) -> Iterator[Work]:
    """The jobs still to ask, read lazily; refuses an input whose items moved since."""
    numbered: Iterator[tuple[int, BatchItem]] = enumerate(source)
    if within is not None:
        numbered = islice(numbered, within.start, within.stop)
    for index, item in numbered:
        for model in spec.models:
            job = BatchJob(item_index=index, model=model)
            state = missing.states.get((index, model))
            if state is not None and state[0] not in (None, item.name):
                raise RequestError(
                    f"Item {index + 1} of {spec.source} was {state[0]!r} when the batch ran and "
                    f"is {item.name!r} now: the input changed, so resuming would mix items; "
                    "start a new batch instead."
                )
            if missing.wanted(job):
                yield job, item


def latest_batch(store: HistoryStore) -> str:
    """The newest batch this workspace recorded with a spec (the one --resume picks)."""
    for batch_id in store.batch_ids():
        if store.batch_spec(batch_id) is not None:
            return batch_id
    recorded = store.batches_in(*BATCH_STATES)
    if recorded:
        return recorded[-1]
    raise RequestError("There is no batch to resume in this history; start one with --images.")


def load_spec(store: HistoryStore, batch_id: str) -> BatchSpec:
    """The recorded spec of a batch, or a sentence saying it cannot be resumed."""
    found = store.batch_spec(batch_id)
    if found is None:
        raise RequestError(
            f"Batch {batch_id} is not in this history with what it asked (batches before this "
            "version, or run from the page with uploads, cannot be resumed); start a new one."
        )
    return BatchSpec.from_json(found[0])


def _nothing_yet(spec: BatchSpec, source: ItemSource | KeptItems) -> Missing:
    return Missing(
        total=(total := source.count() * len(spec.models)),
        answered=0,
        failed=0,
        to_ask=total,
        states={},
        retry_errors=False,
    )


def run_recorded(
    client: ChatClient,
    store: HistoryStore | Future[HistoryStore],
    batch_id: str,
    spec: BatchSpec,
    *,
    new: bool = False,
    retry_errors: bool = False,
    errors_through: int | None = None,
    use_cache: bool = True,
    prepare_pool: PreparePool = "threads",
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    on_plan: Callable[[Missing], None] | None = None,
    on_saved: Callable[[BatchResult, Run], None] | None = None,
    cancel: threading.Event | None = None,
    within: range | None = None,
    record_state: bool = True,
) -> EngineOutcome:
    """Ask what the batch still lacks, saving each result before reporting it; the batch's
    state says running, then done or cancelled.

    A `new` batch has nothing saved yet, so its first requests need no store: given a store
    that is still opening (a Future), they go out while it opens, and results wait for it.
    """
    check_batch(spec.models, spec.concurrency)
    source = spec.open(None if isinstance(store, Future) else store)
    deterministic = spec.temperature == 0 and use_cache
    if isinstance(store, Future):
        pending = store
        if not new or deterministic:
            pending.result()
    else:
        pending = Future()
        pending.set_result(store)

    def record(ready: Future[HistoryStore]) -> None:
        if record_state and ready.exception() is None:
            ready.result().save_batch(batch_id, spec.to_json(), state="running")

    pending.add_done_callback(record)
    if new:
        missing = _nothing_yet(spec, source)
    else:
        missing = missing_jobs(
            pending.result(),
            batch_id,
            spec,
            source,
            retry_errors=retry_errors,
            within=within,
            errors_through=errors_through,
        )
    if on_plan is not None:
        on_plan(missing)

    saved_runs: dict[BatchJob, Run] = {}

    def save(result: BatchResult) -> None:
        # On the request's thread: each slot saves its own answer, none waits for another's.
        saved_runs[result.job] = pending.result().save_run(
            result.to_run(), originals=result.originals
        )

    def report(result: BatchResult) -> None:
        saved = saved_runs.pop(result.job)
        if on_saved is not None:
            on_saved(result, saved)
        if on_result is not None:
            on_result(result)

    settings = EngineSettings(
        concurrency=spec.concurrency,
        options=spec.options,
        batch_id=batch_id,
        cache=StoreCache(pending.result()) if deterministic else None,
        prepare_pool=prepare_pool,
        resolution=Resolution(token_budget=spec.token_budget, max_side=spec.max_side),
    )
    outcome = run_jobs(
        client,
        pending_work(source, spec, missing, within),
        total=missing.to_ask,
        settings=settings,
        on_result=report,
        on_progress=on_progress,
        cancel=cancel,
        save=save,
    )
    if record_state:
        pending.result().set_batch_state(batch_id, "cancelled" if outcome.cancelled else "done")
    return outcome
