"""What a recorded batch still lacks: its jobs with no saved answer (and, when asked, its
failures), from the runs saved so far; and those jobs read lazily from its input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import TYPE_CHECKING

from vision.batch.items.files import ItemSource
from vision.batch.items.manifest import KeptItems
from vision.batch.recorded.spec import BatchSpec
from vision.errors import RequestError
from vision.values.batch import BatchItem, BatchJob, request_count

if TYPE_CHECKING:
    from vision.history.store import HistoryStore


# A job as the history tells it apart: item index, model, repeat.
JobKey = tuple[int, str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Missing:
    """A recorded batch's jobs: how many in all, answered, failed, and which are to be asked."""

    total: int
    answered: int
    failed: int
    to_ask: int
    states: dict[JobKey, tuple[str | None, bool]] = field(repr=False)
    retry_errors: bool
    # The failed jobs asked again: every one with retry_errors, or those a Retry saw.
    asked_again: frozenset[JobKey] = field(default=frozenset(), repr=False)

    def wanted(self, job: BatchJob) -> bool:
        """True when this job has no answer yet (and is not a failure left alone)."""
        key = (job.item_index, job.model, job.repeat)
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
    states: dict[JobKey, tuple[str | None, bool]] = {}
    newest: dict[JobKey, int] = {}
    for index, model, name, failed, run_id, repeat in store.batch_jobs(batch_id):
        key = (index, model, repeat)
        known = states.get(key)
        states[key] = (name, failed and (known is None or known[1]))
        newest[key] = run_id
    models = set(spec.models)
    mine = {
        key: state
        for key, state in states.items()
        if key[1] in models and key[2] < spec.repeats and (within is None or key[0] in within)
    }
    items = source.count()
    if within is not None:
        items = len(range(within.start, min(within.stop, items)))
    total = request_count(items, len(spec.models), spec.repeats)
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


def nothing_yet(spec: BatchSpec, source: ItemSource | KeptItems) -> Missing:
    """A new batch's jobs: every one is to be asked, and nothing need be read from the store."""
    return Missing(
        total=(total := request_count(source.count(), len(spec.models), spec.repeats)),
        answered=0,
        failed=0,
        to_ask=total,
        states={},
        retry_errors=False,
    )


def pending_work(
    source: ItemSource | KeptItems, spec: BatchSpec, missing: Missing, within: range | None = None
) -> Iterator[tuple[BatchJob, BatchItem]]:
    """The jobs still to ask with their items, read lazily, each item's repeats together;
    refuses an input whose items moved since."""
    for index, item in source.numbered(within):
        for repeat, model in product(range(spec.repeats), spec.models):
            job = BatchJob(item_index=index, model=model, repeat=repeat)
            state = missing.states.get((index, model, repeat))
            if state is not None and state[0] not in (None, item.name):
                raise RequestError(
                    f"Item {index + 1} of {spec.source} was {state[0]!r} when the batch ran and "
                    f"is {item.name!r} now: the input changed, so resuming would mix items; "
                    "start a new batch instead."
                )
            if missing.wanted(job):
                yield job, item
