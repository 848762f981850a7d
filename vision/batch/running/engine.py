"""The loop under every batch: jobs pulled lazily, images prepared just ahead, requests bounded.

Jobs come from an iterator, so a batch of any size holds only the window of jobs about to be
sent (and their prepared images) in memory; results are handed on as they complete and never
collected here.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice

from vision.batch.running.answer_cache import cache_key
from vision.batch.running.concurrency import ConcurrencyLimit
from vision.batch.running.preparation import ImageKey, PreparedImagePool
from vision.errors import RateLimitError, RequestError, VisionError
from vision.values.batch import (
    DEFAULT_RESOLUTION,
    AnswerCache,
    BatchItem,
    BatchJob,
    BatchProgress,
    BatchResult,
    ImageFile,
    Prepare,
    PreparePool,
    Resolution,
)
from vision.values.image import PreparedImage
from vision.values.request import ChatClient, ChatRequest, ImageRef, RequestOptions
from vision.values.run import RunImage, image_from_url

# Images prepared ahead of the request slots, per slot: enough to never make a slot wait.
PREPARE_AHEAD = 2
# How often the coordinator looks at the cancel flag while requests are in flight.
_POLL_S = 0.05

Work = tuple[BatchJob, BatchItem]


def prepare_workers() -> int:
    """One preparation worker per core (at least two: Pillow releases the GIL while it works)."""
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineSettings:
    """How a batch runs: requests at once, options, the cache, and how images are prepared."""

    concurrency: int
    options: RequestOptions
    batch_id: str
    cache: AnswerCache | None = None
    prepare: Prepare | None = None
    prepare_pool: PreparePool = "threads"
    workers: int = 0  # 0: prepare_workers()
    requeue_delay_s: float = 1.0
    resolution: Resolution = DEFAULT_RESOLUTION
    # A coordinate frame per model id, in place of its family's, for grounding items.
    frames: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineOutcome:
    """What a run of the loop did: final progress, and the queued jobs a cancel left."""

    progress: BatchProgress
    queued: tuple[BatchJob, ...]
    cancelled: bool


def _image_record(item: BatchItem) -> RunImage | None:
    if isinstance(item.image, bytes):
        return RunImage(sha256=hashlib.sha256(item.image).hexdigest(), name=item.name or None)
    if isinstance(item.image, ImageFile):
        return RunImage(sha256="", name=item.name or None)
    return None


def _locate_prompt(item: BatchItem, model: str, prepared: PreparedImage | None, frame: str) -> str:
    """A grounding item's question in `model`'s family's own words, for the size it is sent at."""
    from vision.grounding.asking import locate_prompt

    assert item.locate is not None
    if prepared is None:
        raise RequestError(
            f"{item.name or 'This item'} asks to locate something in an image given by URL; "
            "boxes are mapped back through the image's own pixels, so give the file instead."
        )
    sent = (prepared.width, prepared.height)
    return locate_prompt(
        model, item.locate.target, sent, kind=item.locate.kind, frames={model: frame}
    )


def ask_job(
    client: ChatClient,
    work: Work,
    images: PreparedImagePool,
    key: ImageKey | None,
    settings: EngineSettings,
) -> BatchResult:
    """One job: its prepared image, then the cache or the model; errors become the result. A
    grounding item is asked in the model's family's words and records the frame it was asked
    in (its family's, or the settings' override)."""
    job, item = work
    record: RunImage | None = None
    request: ChatRequest | None = None
    frame = None
    if item.locate is not None:
        from vision.grounding.frames import frame_for

        frame = frame_for(job.model, settings.frames).name
    made = partial(
        BatchResult,
        job=job,
        item=item,
        batch_id=settings.batch_id,
        frame=frame,
        resolution=settings.resolution,
    )
    try:
        prepared: PreparedImage | None = None
        if key is None:
            ref = ImageRef(url=str(item.image), label=item.name)
            record, sent = image_from_url(str(item.image)), str(item.image)
        else:
            prepared, record = images.get(key)
            record = replace(record, name=item.name or None)
            ref, sent = prepared.as_ref(), prepared.sha256
        prompt = item.prompt if frame is None else _locate_prompt(item, job.model, prepared, frame)
        request = ChatRequest.asking(job.model, prompt, (ref,), settings.options)
        deterministic = cache_key(request, (sent,))
        if deterministic is not None and settings.cache is not None:
            hit = settings.cache.lookup(deterministic)
            if hit is not None:
                return made(
                    request=request,
                    result=hit,
                    image=record,
                    cache_key=deterministic,
                    cached=True,
                )
        result = client.chat(request)
    except VisionError as exc:
        return made(request=request, error=exc, image=record or _image_record(item))
    return made(request=request, result=result, image=record, cache_key=deterministic)


def _put_back(result: BatchResult, attempt: int) -> bool:
    """True for a first 429 that outlived the client's retries: the job is asked again later."""
    return isinstance(result.error, RateLimitError) and attempt == 1


def _ask_final(
    client: ChatClient,
    work: Work,
    images: PreparedImagePool,
    key: ImageKey | None,
    settings: EngineSettings,
    attempt: int,
    save: Callable[[BatchResult], None] | None,
) -> BatchResult:
    """One job on its request thread, saved there once its result is final."""
    result = replace(ask_job(client, work, images, key, settings), attempts=attempt)
    if save is not None and not _put_back(result, attempt):
        save(result)
    return result


def _executor(settings: EngineSettings) -> Executor:
    workers = settings.workers or prepare_workers()
    if settings.prepare_pool == "processes":
        # Imported here: multiprocessing costs every other batch's start-up about 20 ms.
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=workers)
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prepare")


def run_jobs(
    client: ChatClient,
    work: Iterable[Work],
    *,
    total: int,
    settings: EngineSettings,
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
    save: Callable[[BatchResult], None] | None = None,
) -> EngineOutcome:
    """Run jobs as they are pulled from `work`; a 429 that outlived the client's own retries
    halves the concurrency and puts the job back once; `cancel` stops new jobs.

    `save` runs on the request's own thread as soon as its result is final, before that slot
    takes another job; `on_result` and `on_progress` run after it, on this thread, in the order
    results complete."""
    pending: Iterator[Work] = iter(work)
    limit = ConcurrencyLimit(settings.concurrency)
    stop = cancel or threading.Event()
    queue: deque[tuple[Work, int, float]] = deque()
    running: dict[Future[BatchResult], tuple[int, int]] = {}
    keys: dict[BatchJob, ImageKey | None] = {}
    started = time.monotonic()
    counts = {"done": 0, "failed": 0}
    window = PREPARE_AHEAD * settings.concurrency

    def progress() -> BatchProgress:
        elapsed = time.monotonic() - started
        finished = counts["done"] + counts["failed"]
        eta = elapsed / finished * max(0, total - finished) if finished else None
        return BatchProgress(
            done=counts["done"],
            failed=counts["failed"],
            total=total,
            running=len(running),
            concurrency=limit.value,
            elapsed_s=elapsed,
            eta_s=eta,
        )

    with (
        ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="batch") as pool,
        _executor(settings) as preparing,
    ):
        images = PreparedImagePool(settings.prepare, preparing, settings.resolution)
        exhausted = False
        while True:
            if not exhausted and len(queue) < window and not stop.is_set():
                for pulled in islice(pending, window - len(queue)):
                    queue.append((pulled, 1, 0.0))
                exhausted = len(queue) < window
            if not queue and not running:
                break
            if stop.is_set() and not running:
                break
            for (job, item), _, _ in queue:
                if job not in keys:
                    keys[job] = images.acquire(
                        job.item_index, item.image, item.name, job.model, item.parts
                    )
            now = time.monotonic()
            while not stop.is_set() and queue and len(running) < limit.value:
                work_item, attempt, not_before = queue[0]
                if not_before > now:
                    break
                queue.popleft()
                job = work_item[0]
                future = pool.submit(
                    _ask_final, client, work_item, images, keys[job], settings, attempt, save
                )
                running[future] = (attempt, limit.generation)
            if not running:
                stop.wait(max(0.0, queue[0][2] - now) if queue else _POLL_S)
                continue
            finished, _ = wait(running, timeout=_POLL_S, return_when=FIRST_COMPLETED)
            for future in finished:
                attempt, generation = running.pop(future)
                result = future.result()
                if _put_back(result, attempt):
                    limit.rate_limited(generation)
                    queue.append(
                        ((result.job, result.item), 2, time.monotonic() + settings.requeue_delay_s)
                    )
                    continue
                images.release(keys.pop(result.job))
                if result.ok:
                    counts["done"] += 1
                    limit.succeeded()
                else:
                    counts["failed"] += 1
                # Saved (on its request thread) before the freed slot is filled again: a kill at
                # any moment then leaves at most `concurrency` jobs asked but not saved, and one
                # slot's save never holds up another slot's next request.
                if on_result is not None:
                    on_result(result)
                if on_progress is not None:
                    on_progress(progress())
        if stop.is_set():
            preparing.shutdown(wait=False, cancel_futures=True)
    queued = tuple(job for (job, _), _, _ in queue)
    # The caller drains what `work` still holds (when it passed an iterator) to list the rest.
    return EngineOutcome(
        progress=progress(),
        queued=queued,
        cancelled=stop.is_set() and (bool(queue) or not exhausted),
    )
