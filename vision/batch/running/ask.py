"""Batch evaluation: every image × every model through a bounded pool that backs off on 429."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace

from vision.batch.running.engine import EngineSettings, run_jobs
from vision.errors import RequestError
from vision.values.batch import (
    BatchItem,
    BatchJob,
    BatchProgress,
    BatchReport,
    BatchResult,
    BatchSettings,
)
from vision.values.request import ChatClient


def new_batch_id() -> str:
    """A short random id that groups the runs of one batch in the history."""
    return uuid.uuid4().hex[:12]


def batch_jobs(items: Sequence[BatchItem], models: Sequence[str]) -> list[BatchJob]:
    """Every item × model, image by image, so both answers to an image arrive close together."""
    return [BatchJob(item_index=i, model=m) for i in range(len(items)) for m in models]


def check_batch(models: Sequence[str], concurrency: int) -> None:
    """Refuse a batch without models or with a concurrency under 1, in a sentence."""
    if not models:
        raise RequestError("Choose at least one model for the batch.")
    if concurrency < 1:
        raise RequestError("The concurrency must be at least 1; set it to 1 or more.")


def ask_batch(
    client: ChatClient,
    items: Sequence[BatchItem],
    models: Sequence[str],
    *,
    settings: BatchSettings | None = None,
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> BatchReport:
    """Run every item × model job; results reach on_result (on this thread) as they complete.

    A 429 that outlived the client's own retries halves the concurrency and puts the job back
    in the queue once; setting `cancel` stops new jobs while the ones in flight finish. With a
    `cache` in the settings, a deterministic request already answered is served from it, marked
    cached.
    """
    chosen = settings or BatchSettings()
    check_batch(models, chosen.concurrency)
    if not items:
        raise RequestError("Add at least one image to the batch.")
    todo = (
        list(dict.fromkeys(chosen.jobs)) if chosen.jobs is not None else batch_jobs(items, models)
    )
    engine = EngineSettings(
        concurrency=chosen.concurrency,
        options=chosen.options,
        batch_id=chosen.batch_id or new_batch_id(),
        cache=chosen.cache,
        prepare=chosen.prepare,
        prepare_pool=chosen.prepare_pool,
        requeue_delay_s=chosen.requeue_delay_s,
        frames=chosen.frames,
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
        settings=engine,
        on_result=collect,
        on_progress=on_progress,
        cancel=cancel,
    )
    return BatchReport(
        batch_id=engine.batch_id,
        results=tuple(results),
        skipped=(*outcome.queued, *(job for job, _ in work)),
        cancelled=outcome.cancelled,
        progress=outcome.progress,
        items=tuple(items),
        models=tuple(models),
    )


def retry_failed(
    client: ChatClient,
    report: BatchReport,
    *,
    settings: BatchSettings | None = None,
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> BatchReport:
    """Run again, in the same batch, only the jobs that failed or were skipped by a cancel (the
    settings' batch id and jobs are the report's)."""
    jobs = (*(result.job for result in report.failed), *report.skipped)
    if not jobs:
        raise RequestError("Nothing to retry: every job of this batch has an answer.")
    return ask_batch(
        client,
        report.items,
        report.models,
        settings=replace(settings or BatchSettings(), batch_id=report.batch_id, jobs=jobs),
        on_result=on_result,
        on_progress=on_progress,
        cancel=cancel,
    )
