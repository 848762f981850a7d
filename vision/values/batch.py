"""A batch's values: its items, one job (an item for a model), each result, progress, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vision.errors import RequestError, VisionError
from vision.values.request import ChatRequest
from vision.values.result import ChatResult
from vision.values.run import Run, RunContext, RunImage, run_from_result


@dataclass(frozen=True, slots=True)
class ImageFile:
    """An image file on this machine, read only when it is prepared (so a batch of any size
    holds only the images about to be sent)."""

    path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchItem:
    """One image of a batch (bytes, or an http(s) URL the API fetches) with its prompt."""

    image: bytes | str | ImageFile = field(repr=False)
    prompt: str
    name: str = ""
    expected: str | None = None
    tag: str | None = None
    # Every reference answer (VQA-style scores use all of them); `expected` is the first.
    answers: tuple[str, ...] = ()
    # A multiple-choice item's options, in the order they were shown (A, B, C...).
    choices: tuple[str, ...] = ()

    @property
    def references(self) -> tuple[str, ...]:
        """The reference answers: `answers`, else the expected answer alone, else none."""
        if self.answers:
            return self.answers
        return (self.expected,) if self.expected else ()

    def context(self, batch_id: str, index: int) -> RunContext:
        """Where this item's runs belong: its batch, its place, and its reference answers."""
        return RunContext(
            kind="batch_item",
            batch_id=batch_id,
            item_index=index,
            item_name=self.name or None,
            tag=self.tag,
            expected=self.expected,
            answers=self.answers,
            choices=self.choices,
        )


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
    cache_key: str | None = None
    cached: bool = False  # served from the history: nothing was asked or paid

    @property
    def ok(self) -> bool:
        """True when the model answered."""
        return self.result is not None

    @property
    def originals(self) -> dict[str, bytes]:
        """The item's original bytes under their hash, for the history to keep with the run."""
        image, data = self.image, self.item.image
        if image is None or not image.source_sha256 or isinstance(data, str):
            return {}
        if isinstance(data, ImageFile):
            try:
                data = Path(data.path).read_bytes()
            except OSError:  # gone since it was prepared: the run is kept without it
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
            context=self.item.context(self.batch_id, self.job.item_index),
            cache_key=self.cache_key,
            cached=self.cached,
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
