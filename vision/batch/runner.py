"""Batch evaluation: every image × every model through a bounded pool that backs off on 429."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.values.batch import BatchItem, BatchJob, BatchProgress, BatchReport, BatchResult
from vision.values.request import ChatClient, RequestOptions

if TYPE_CHECKING:
    from vision.batch.cache import AnswerCache
    from vision.batch.engine import PreparePool
    from vision.batch.preparation import Prepare


class ConcurrencyLimit:
    """AIMD: halve the number of requests in flight on a 429, add one after N successes."""

    def __init__(self, ceiling: int, *, increase_after: int = 4) -> None:
        self.ceiling = ceiling
        self.value = ceiling
        self.increase_after = increase_after
        self.generation = 0
        self._successes = 0

    def succeeded(self) -> None:
        """Count a success; every `increase_after` of them open one more slot, up to the ceiling."""
        self._successes += 1
        if self._successes >= self.increase_after and self.value < self.ceiling:
            self.value += 1
            self._successes = 0

    def rate_limited(self, launched_in: int) -> None:
        """Halve, unless the job started before the last cut (that burst was already answered)."""
        if launched_in < self.generation:
            return
        self.value = max(1, self.value // 2)
        self.generation += 1
        self._successes = 0


def new_batch_id() -> str:
    """A short random id that groups the runs of one batch in the history."""
    return uuid.uuid4().hex[:12]


def batch_jobs(items: Sequence[BatchItem], models: Sequence[str]) -> list[BatchJob]:
    """Every item × model, image by image, so both answers to an image arrive close together."""
    return [BatchJob(item_index=i, model=m) for i in range(len(items)) for m in models]


def ask_batch(
    client: ChatClient,
    items: Sequence[BatchItem],
    models: Sequence[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    options: RequestOptions | None = None,
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
    batch_id: str | None = None,
    jobs: Sequence[BatchJob] | None = None,
    prepare: Prepare | None = None,
    requeue_delay_s: float = 1.0,
    cache: AnswerCache | None = None,
    prepare_pool: PreparePool = "threads",
) -> BatchReport:
    """Run every item × model job; results reach on_result (on this thread) as they complete.

    A 429 that outlived the client's own retries halves the concurrency and puts the job back
    in the queue once; setting `cancel` stops new jobs while the ones in flight finish. With a
    `cache`, a deterministic request already answered is served from it, marked cached.
    """
    from vision.batch.engine import EngineSettings, run_jobs

    check_batch(models, concurrency)
    if not items:
        raise RequestError("Add at least one image to the batch.")
    todo = list(dict.fromkeys(jobs)) if jobs is not None else batch_jobs(items, models)
    settings = EngineSettings(
        concurrency=concurrency,
        options=options or RequestOptions(),
        batch_id=batch_id or new_batch_id(),
        cache=cache,
        prepare=prepare,
        prepare_pool=prepare_pool,
        requeue_delay_s=requeue_delay_s,
    )
    results: list[BatchResult] = []

    def collect(result: BatchResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    work = iter([(job, items[job.item_index]) for job in todo])
    outcome = run_jobs(
        client,
        work,
        total=len(todo),
        settings=settings,
        on_result=collect,
        on_progress=on_progress,
        cancel=cancel,
    )
    return BatchReport(
        batch_id=settings.batch_id,
        results=tuple(results),
        skipped=(*outcome.queued, *(job for job, _ in work)),
        cancelled=outcome.cancelled,
        progress=outcome.progress,
        items=tuple(items),
        models=tuple(models),
    )


def check_batch(models: Sequence[str], concurrency: int) -> None:
    """Refuse a batch without models or with a concurrency under 1, in a sentence."""
    if not models:
        raise RequestError("Choose at least one model for the batch.")
    if concurrency < 1:
        raise RequestError("The concurrency must be at least 1; set it to 1 or more.")


def retry_failed(
    client: ChatClient,
    report: BatchReport,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    options: RequestOptions | None = None,
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
    prepare: Prepare | None = None,
) -> BatchReport:
    """Run again, in the same batch, only the jobs that failed or were skipped by a cancel."""
    jobs = [result.job for result in report.failed] + list(report.skipped)
    if not jobs:
        raise RequestError("Nothing to retry: every job of this batch has an answer.")
    return ask_batch(
        client,
        report.items,
        report.models,
        concurrency=concurrency,
        options=options,
        on_result=on_result,
        on_progress=on_progress,
        cancel=cancel,
        batch_id=report.batch_id,
        jobs=jobs,
        prepare=prepare,
    )
