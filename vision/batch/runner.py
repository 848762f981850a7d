"""Batch evaluation: every image × every model through a bounded pool that backs off on 429."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from itertools import islice

from vision.api.request import ChatClient, ChatRequest, ImageRef, RequestOptions
from vision.api.results import ChatResult
from vision.batch.preparation import ImageKey, Prepare, PreparedImagePool
from vision.errors import RateLimitError, RequestError, VisionError
from vision.history.records import Run, RunImage, image_from_url, run_from_result
from vision.images.prepared import PreparedImage
from vision.limits import DEFAULT_CONCURRENCY

# Pillow releases the GIL while it decodes, resizes and encodes: two threads keep the images
# ready ahead of the request slots on a small machine.
PREPARE_WORKERS = 2
# Images prepared ahead of the request slots, per slot: enough to never make a slot wait.
PREPARE_AHEAD = 2
# How often the coordinator looks at the cancel flag while requests are in flight.
_POLL_S = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchItem:
    """One image of a batch (bytes, or an http(s) URL the API fetches) with its prompt."""

    image: bytes | str = field(repr=False)
    prompt: str
    name: str = ""
    expected: str | None = None
    tag: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchJob:
    """One item sent to one model."""

    item_index: int
    model: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchResult:
    """What one job produced: an answer or an error, and the image record to save."""

    job: BatchJob
    item: BatchItem
    batch_id: str
    request: ChatRequest | None = field(default=None, repr=False)
    result: ChatResult | None = None
    error: VisionError | None = None
    image: RunImage | None = field(default=None, repr=False)
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """True when the model answered."""
        return self.result is not None

    @property
    def originals(self) -> dict[str, bytes]:
        """The item's original bytes under their hash, for the history to keep with the run."""
        image, data = self.image, self.item.image
        if image is None or not image.source_sha256 or not isinstance(data, bytes):
            return {}
        return {image.source_sha256: data}

    def to_run(self) -> Run:
        """The history record of this result, ready for HistoryStore.save_run."""
        request = self.request or ChatRequest(model=self.job.model, prompt=self.item.prompt)
        outcome: ChatResult | VisionError = (
            self.result or self.error or RequestError("This job produced nothing; run it again.")
        )
        return run_from_result(
            request,
            outcome,
            images=(self.image,) if self.image else (),
            kind="batch_item",
            batch_id=self.batch_id,
            item_index=self.job.item_index,
            item_name=self.item.name or None,
            tag=self.item.tag,
            expected=self.item.expected,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchProgress:
    """Counts so far, the concurrency in force, and an estimate of the time left."""

    done: int
    failed: int
    total: int
    running: int
    concurrency: int
    elapsed_s: float
    eta_s: float | None

    @property
    def finished(self) -> int:
        """Jobs with a result, answered or failed."""
        return self.done + self.failed

    @property
    def fraction(self) -> float:
        """Share of jobs finished, 0.0 to 1.0."""
        return self.finished / self.total if self.total else 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchReport:
    """The whole batch: every result delivered, jobs skipped by a cancel, final progress."""

    batch_id: str
    results: tuple[BatchResult, ...]
    skipped: tuple[BatchJob, ...]
    cancelled: bool
    progress: BatchProgress
    items: tuple[BatchItem, ...] = field(repr=False)
    models: tuple[str, ...]

    @property
    def failed(self) -> tuple[BatchResult, ...]:
        """Results that ended in an error."""
        return tuple(result for result in self.results if not result.ok)


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


def _ask_job(
    client: ChatClient,
    job: BatchJob,
    item: BatchItem,
    images: PreparedImagePool,
    key: ImageKey | None,
    options: RequestOptions,
    batch_id: str,
) -> BatchResult:
    record: RunImage | None = None
    request: ChatRequest | None = None
    try:
        if key is None:
            ref = ImageRef(url=str(item.image), label=item.name)
            record = image_from_url(str(item.image))
        else:
            prepared, record = images.get(key)
            record = replace(record, name=item.name or None)
            ref = prepared.as_ref()
        request = ChatRequest.asking(job.model, item.prompt, (ref,), options)
        result = client.chat(request)
    except VisionError as exc:
        if record is None and isinstance(item.image, bytes):
            record = RunImage(sha256=hashlib.sha256(item.image).hexdigest())
        return BatchResult(
            job=job, item=item, batch_id=batch_id, request=request, error=exc, image=record
        )
    return BatchResult(
        job=job, item=item, batch_id=batch_id, request=request, result=result, image=record
    )


def _prepare_image(data: bytes, *, filename: str | None, model: str | None) -> PreparedImage:
    # Imported on first use: defining a batch (the CLI's parser, a page) needs no image library.
    from vision.images.intake import prepare_image

    return prepare_image(data, filename=filename, model=model)


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
) -> BatchReport:
    """Run every item × model job; results reach on_result (on this thread) as they complete.

    A 429 that outlived the client's own retries halves the concurrency and puts the job back
    in the queue once; setting `cancel` stops new jobs while the ones in flight finish.
    """
    if not models:
        raise RequestError("Choose at least one model for the batch.")
    if not items:
        raise RequestError("Add at least one image to the batch.")
    if concurrency < 1:
        raise RequestError("The concurrency must be at least 1; set it to 1 or more.")
    todo = list(dict.fromkeys(jobs)) if jobs is not None else batch_jobs(items, models)
    batch_id = batch_id or new_batch_id()
    shared = options or RequestOptions()
    limit = ConcurrencyLimit(concurrency)
    stop = cancel or threading.Event()
    queue: deque[tuple[BatchJob, int, float]] = deque((job, 1, 0.0) for job in todo)
    running: dict[Future[BatchResult], tuple[int, int]] = {}
    results: list[BatchResult] = []
    started = time.monotonic()
    counts = {"done": 0, "failed": 0}

    def progress() -> BatchProgress:
        elapsed = time.monotonic() - started
        finished = counts["done"] + counts["failed"]
        left = len(todo) - finished
        eta = elapsed / finished * left if finished else None
        return BatchProgress(
            done=counts["done"],
            failed=counts["failed"],
            total=len(todo),
            running=len(running),
            concurrency=limit.value,
            elapsed_s=elapsed,
            eta_s=eta,
        )

    with (
        ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="batch") as pool,
        ThreadPoolExecutor(max_workers=PREPARE_WORKERS, thread_name_prefix="prepare") as preparing,
    ):
        images = PreparedImagePool(prepare or _prepare_image, preparing)
        keys: dict[BatchJob, ImageKey | None] = {}
        while queue or running:
            if stop.is_set() and not running:
                preparing.shutdown(wait=False, cancel_futures=True)
                break
            for job, _, _ in islice(queue, PREPARE_AHEAD * concurrency):
                if job not in keys:
                    item = items[job.item_index]
                    keys[job] = images.acquire(job.item_index, item.image, item.name, job.model)
            now = time.monotonic()
            while not stop.is_set() and queue and len(running) < limit.value:
                job, attempt, not_before = queue[0]
                if not_before > now:
                    break
                queue.popleft()
                item = items[job.item_index]
                future = pool.submit(
                    _ask_job, client, job, item, images, keys[job], shared, batch_id
                )
                running[future] = (attempt, limit.generation)
            if not running:
                stop.wait(max(0.0, queue[0][2] - now))
                continue
            finished, _ = wait(running, timeout=_POLL_S, return_when=FIRST_COMPLETED)
            for future in finished:
                attempt, generation = running.pop(future)
                result = replace(future.result(), attempts=attempt)
                if isinstance(result.error, RateLimitError) and attempt == 1:
                    limit.rate_limited(generation)
                    queue.append((result.job, 2, time.monotonic() + requeue_delay_s))
                    continue
                images.release(keys.pop(result.job))
                if result.ok:
                    counts["done"] += 1
                    limit.succeeded()
                else:
                    counts["failed"] += 1
                results.append(result)
                if on_result is not None:
                    on_result(result)
                if on_progress is not None:
                    on_progress(progress())
    return BatchReport(
        batch_id=batch_id,
        results=tuple(results),
        skipped=tuple(job for job, _, _ in queue),
        cancelled=stop.is_set() and bool(queue),
        progress=progress(),
        items=tuple(items),
        models=tuple(models),
    )


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
