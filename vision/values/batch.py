"""A batch's values: its items, one job (an item for a model), how it runs, each result,
progress, the report, its picture for a page; a resolution, a sweep's settings and its points."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol

from vision.errors import RequestError, VisionError
from vision.limits import DEFAULT_CONCURRENCY
from vision.values.grounding import LocateTask
from vision.values.image import PreparedImage, SourcePart
from vision.values.request import ChatRequest, Effort, RequestOptions
from vision.values.result import ChatResult
from vision.values.run import REPEAT_PARAM, Run, RunContext, RunImage, run_from_result


@dataclass(frozen=True, slots=True)
class ImageFile:
    """An image file on this machine, read only when it is prepared (so a batch of any size
    holds only the images about to be sent)."""

    path: str


# Originals to keep with a run, by the hash of their bytes: the bytes (copied into the history's
# blob store), or the file they were read from (named by its path, not copied).
Originals = Mapping[str, "bytes | ImageFile"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchItem:
    """One image of a batch (bytes, or an http(s) URL the API fetches) with its prompt; for a
    document or video, the page or the frames of it that are sent."""

    image: bytes | str | ImageFile = field(repr=False)
    prompt: str
    name: str = ""
    expected: str | None = None
    tag: str | None = None
    # Every reference answer (VQA-style scores use all of them); `expected` is the first.
    answers: tuple[str, ...] = ()
    # A multiple-choice item's options, in the order they were shown (A, B, C...).
    choices: tuple[str, ...] = ()
    # A grounding item: what to locate and its reference boxes; each model is asked in its
    # family's own words (the prompt above is only the expression, for the record).
    locate: LocateTask | None = None
    # The page of a document its image is, or a video's frames sent as one labelled grid.
    parts: tuple[SourcePart, ...] = ()

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
            locate=self.locate,
        )


class BatchItems(Protocol):
    """A batch's items, read lazily when iterated (never all held at once), and their number."""

    def __iter__(self) -> Iterator[BatchItem]:
        """Each item in turn."""
        ...

    def count(self) -> int:
        """How many items there are."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptItem:
    """A page batch's item as the history keeps it: its texts, and its image by the hash its
    bytes are kept under (vision/history/originals.py) or its URL."""

    prompt: str
    name: str = ""
    expected: str | None = None
    answers: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    tag: str | None = None
    locate: LocateTask | None = None
    sha256: str | None = None
    url: str | None = None
    # The page of a document, or a video's frames, the item sends (schema 13).
    parts: tuple[SourcePart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSizing:
    """What a batch's budget estimate reads of its items, summed: how many, their prompts'
    text tokens together, and how many items have each image size (None: not known, a URL)."""

    items: int
    text_tokens: int
    sizes: Mapping[tuple[int, int] | None, int] = field(default_factory=dict)


def request_count(items: int, models: int, repeats: int = 1) -> int:
    """The requests (jobs) a batch makes: each of its items on each model, `repeats` times."""
    return items * models * repeats


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchJob:
    """One item sent to one model, the repeat'th time it is asked (0: the first)."""

    item_index: int
    model: str
    repeat: int = 0


# Prepares one image for one model: vision.images.intake.prepare_image, or a stand-in (tests).
Prepare = Callable[..., PreparedImage]
# Where images are prepared: threads of this process, or a process pool.
PreparePool = Literal["threads", "processes"]


class AnswerCache(Protocol):
    """Where a batch looks up an answer by its request's key."""

    def lookup(self, key: str, /) -> ChatResult | None:
        """The answer saved under this key, or None."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSettings:
    """How ask_batch runs a batch: requests in flight at once and their options, its id and
    jobs (None: a new id, every item × model), how images are prepared, how long a job put back
    after a 429 waits, the answer cache, and frames overriding a model family's."""

    concurrency: int = DEFAULT_CONCURRENCY
    options: RequestOptions = field(default_factory=RequestOptions)
    batch_id: str | None = None
    jobs: tuple[BatchJob, ...] | None = None
    prepare: Prepare | None = field(default=None, repr=False)
    prepare_pool: PreparePool = "threads"
    requeue_delay_s: float = 1.0
    cache: AnswerCache | None = field(default=None, repr=False)
    # A coordinate frame per model id, in place of its family's, for grounding items.
    frames: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """How large images are sent: a Qwen-style token budget, and a longest side to shrink the
    source to first (which picks a smaller Llama tile canvas); None: the defaults."""

    token_budget: int | None = None
    max_side: int | None = None

    @property
    def params(self) -> dict[str, int]:
        """The setting as a run's parameters: token_budget and max_side, where set."""
        values = {"token_budget": self.token_budget, "max_side": self.max_side}
        return {name: value for name, value in values.items() if value}

    @property
    def label(self) -> str:
        """How the resolution reads in a table: "1280 tokens", "560 px", "default"."""
        parts = [f"{self.token_budget} tokens"] if self.token_budget else []
        parts += [f"{self.max_side} px"] if self.max_side else []
        return " · ".join(parts) or "default"


DEFAULT_RESOLUTION = Resolution()

# What a sweep varies: the images' resolution, or the reasoning effort.
SweepAxis = Literal["resolution", "effort"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepSetting:
    """One setting of a sweep: the resolution images are sent at, or a reasoning effort."""

    resolution: Resolution = DEFAULT_RESOLUTION
    reasoning_effort: Effort | None = None

    @property
    def axis(self) -> SweepAxis:
        """What this setting varies."""
        return "effort" if self.reasoning_effort is not None else "resolution"

    @property
    def label(self) -> str:
        """How the setting reads in a table: "1280 tokens", "560 px", "effort high"."""
        if self.reasoning_effort is not None:
            return f"effort {self.reasoning_effort}"
        return self.resolution.label


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
    frame: str | None = None  # a grounding item's frame, as it was asked in
    resolution: Resolution = DEFAULT_RESOLUTION  # how large its image was sent

    @property
    def ok(self) -> bool:
        """True when the model answered."""
        return self.result is not None

    def originals(self, *, copy_files: bool = True) -> dict[str, bytes | ImageFile]:
        """The item's original under its hash, for the history to keep with the run: its bytes,
        or for a local file with copy_files=False the file itself (named, not copied). A file
        whose bytes no longer have the hash that was sent is named, not copied, so the history
        never holds other bytes under that hash (reopening it says the file changed)."""
        image, data = self.image, self.item.image
        if image is None or not image.source_sha256 or isinstance(data, str):
            return {}
        sha = image.source_sha256
        if isinstance(data, ImageFile):
            if not copy_files:
                return {sha: data}
            try:
                copied = Path(data.path).read_bytes()
            except OSError:  # gone since it was prepared: named, and reopening says so
                return {sha: data}
            return {sha: copied if hashlib.sha256(copied).hexdigest() == sha else data}
        return {sha: data}

    def to_run(self) -> Run:
        """The history record of this result, ready for HistoryStore.save_run."""
        request = self.request or ChatRequest(model=self.job.model, prompt=self.item.prompt)
        outcome: ChatResult | VisionError = (
            self.result or self.error or RequestError("This job produced nothing; run it again.")
        )
        run = run_from_result(
            request,
            outcome,
            images=(self.image,) if self.image else (),
            context=self.item.context(self.batch_id, self.job.item_index),
            cache_key=self.cache_key,
            cached=self.cached,
            frame=self.frame,
        )
        # A sweep's setting goes with the run, so that rebuilding its request (copy as code,
        # rerun) prepares the image at the size that was sent; a repeat after the first keeps
        # its number there too (docs/evaluation.md).
        repeat = {REPEAT_PARAM: self.job.repeat} if self.job.repeat else {}
        return replace(run, params={**run.params, **self.resolution.params, **repeat})


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


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchView:
    """A consistent picture of a batch at one moment, for the page to draw."""

    batch_id: str
    models: tuple[str, ...]
    runs: dict[BatchJob, Run] = field(repr=False)
    progress: BatchProgress | None
    running: bool
    cancelling: bool
    cancelled: bool
    skipped: int
    problem: str | None
    total: int = 0

    @property
    def failed(self) -> list[Run]:
        """The latest run of each job that ended in an error."""
        return [run for run in self.runs.values() if run.failed]

    @property
    def retryable(self) -> bool:
        """True when a finished batch has failed or skipped jobs to run again."""
        return not self.running and (bool(self.failed) or self.skipped > 0)

    def ordered_runs(self) -> list[Run]:
        """The latest run of each job, image by image, in the order of the chosen models."""
        order = {model: index for index, model in enumerate(self.models)}
        return [
            self.runs[job]
            for job in sorted(self.runs, key=lambda job: (job.item_index, order.get(job.model, 0)))
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepPoint:
    """One model at one setting: its pass rate with interval, its tokens, and what it cost."""

    setting: SweepSetting
    batch_id: str
    model: str
    items: int
    passed: int
    rate: float
    low: float
    high: float
    mean_score: float
    mean_prompt_tokens: float | None
    cost: float | None  # at the prices /models lists, when it lists them
    # Items this model could not answer at this setting, and the first one's sentence.
    failed: int = 0
    first_error: str | None = None
    # Detection items: precision and recall at IoU 0.5 over their boxes.
    precision: float | None = None
    recall: float | None = None
    # Completion tokens per answer, and the reasoning's share of them (None: not reported).
    mean_completion_tokens: float | None = None
    mean_reasoning_tokens: float | None = None
