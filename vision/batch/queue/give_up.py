"""Giving up a chunk of a queued batch that has had every attempt allowed: each of its jobs
without a saved run is saved as an error that says what happened and how to ask it again, so
the batch can finish and Retry on the Batch page (or `vision eval --resume BATCH --retry-errors`)
re-asks them."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import TYPE_CHECKING

from vision.batch.recorded.spec import BatchSpec
from vision.errors import ChunkGivenUpError, VisionError
from vision.values.batch import BatchItem, BatchJob, BatchResult
from vision.values.kept_batch import Claim

if TYPE_CHECKING:
    from vision.history.store import HistoryStore


def given_up_error(claim: Claim, problem: str | None) -> ChunkGivenUpError:
    """The sentence each of the chunk's unanswered jobs is saved with."""
    tries = f"{claim.max_attempts} attempt{'s' if claim.max_attempts != 1 else ''}"
    if problem:
        what = f"the worker running its chunk failed on it each time (the last time: {problem})"
    else:
        what = "the worker running its chunk stopped before finishing it each time (it crashed "
        what += "or was killed)"
    return ChunkGivenUpError(
        f"Not asked: gave up after {tries}, since {what}; ask it again with Retry on the Batch "
        f"page or `vision eval --resume {claim.batch_id} --retry-errors`."
    )


def _items(store: HistoryStore, spec: BatchSpec, within: range) -> Iterator[tuple[int, BatchItem]]:
    """The chunk's items by index; where the input cannot be read (the reason a chunk fails,
    often) an item is named by its number alone."""
    try:
        found = dict(spec.open(store).numbered(within))
    except VisionError:
        found = {}
    for index in within:
        yield index, found.get(index) or BatchItem(image=b"", prompt=spec.prompt)


def give_up_chunk(
    store: HistoryStore, claim: Claim, spec: BatchSpec, problem: str | None = None
) -> list[BatchResult]:
    """Save an error for every job of the chunk that has no saved run; the results saved."""
    error = given_up_error(claim, problem)
    saved = {(job[0], job[1], job[5]) for job in store.batch_jobs(claim.batch_id)}
    results = []
    for index, item in _items(store, spec, claim.items):
        for model, repeat in product(spec.models, range(spec.repeats)):
            if (index, model, repeat) in saved:
                continue
            result = BatchResult(
                job=BatchJob(item_index=index, model=model, repeat=repeat),
                item=item,
                batch_id=claim.batch_id,
                error=error,
            )
            store.save_run(result.to_run())
            results.append(result)
    return results
