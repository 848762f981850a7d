"""What the history keeps: runs (one model's answer to one request), their images, and votes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from vision.errors import NotSentError, VisionError
from vision.values.grounding import LocateTask
from vision.values.image import GridCell, ImageOrigin, SourcePart, parts_label
from vision.values.request import ChatRequest
from vision.values.result import ChatResult, Usage

RunKind = Literal["single", "turn", "batch_item"]
VoteChoice = Literal["a", "b", "tie", "both_bad"]
RUN_KINDS: tuple[RunKind, ...] = ("single", "turn", "batch_item")
VOTE_CHOICES: tuple[VoteChoice, ...] = ("a", "b", "tie", "both_bad")

# The finish reason of a run whose request was held back unsent (a NotSentError): a batch counts
# its job as still to ask, and the audit trail as stopped rather than failed.
NOT_SENT = "not_sent"
# The run parameter holding which repeat of its batch item a run is (absent: the first, 0).
REPEAT_PARAM = "repeat"


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunImage:
    """One image of a run: its hashes, preparation steps and a small JPEG thumbnail, and what
    maps a model's coordinates back to the original (its upright size, EXIF orientation and a
    stitched grid's cells; unknown for images kept before schema 9 and for URL images), and the
    page or frame of a document or video it was made from."""

    position: int = 0
    sha256: str
    source_sha256: str | None = None
    mime: str | None = None
    width: int | None = None
    height: int | None = None
    url: str | None = None
    steps: tuple[str, ...] = ()
    thumbnail: bytes = field(default=b"", repr=False)
    name: str | None = None  # the file name the person gave it, where known
    original_width: int | None = None
    original_height: int | None = None
    orientation: int | None = None
    cells: tuple[GridCell, ...] = ()
    # The page or frame of a document or video it is (or a grid's frames; schema 13).
    parts: tuple[SourcePart, ...] = ()

    @property
    def shows(self) -> str:
        """Which page or frame of its source it is ("page 3 of 12"), or ""."""
        return parts_label(self.parts)

    @property
    def origin(self) -> ImageOrigin | None:
        """The sizes, orientation and cells that map coordinates back to the original; None
        when the record does not hold them."""
        sizes = (self.width, self.height, self.original_width, self.original_height)
        if any(size is None for size in sizes):
            return None
        width, height, original_width, original_height = (int(size or 0) for size in sizes)
        return ImageOrigin(
            width=width,
            height=height,
            original_width=original_width,
            original_height=original_height,
            orientation=self.orientation or 1,
            cells=self.cells,
        )

    @property
    def label(self) -> str:
        """What to call the image: its file name, else its URL's last segment, else its number."""
        if self.name:
            return self.name
        if self.url:
            return self.url.rstrip("/").rsplit("/", 1)[-1] or self.url
        return f"image {self.position + 1}"


def image_from_url(url: str, *, position: int = 0) -> RunImage:
    """The history record of an image sent by URL (the server fetched it; we hold no bytes)."""
    return RunImage(position=position, sha256="", url=url)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunContext:
    """Where a run belongs: a single Send, a conversation's turn, or a batch's item with its
    reference answers."""

    kind: RunKind = "single"
    conversation_id: str | None = None
    batch_id: str | None = None
    item_index: int | None = None
    item_name: str | None = None
    tag: str | None = None
    expected: str | None = None
    # A batch item's reference answers (all of them; `expected` is the first) and options.
    answers: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    # What the item asked to locate, with its reference boxes (a grounding item).
    locate: LocateTask | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    """One model's answer (or error) to one request, as saved in the history."""

    id: int = 0
    created_at: datetime = field(default_factory=utc_now)
    kind: RunKind = "single"
    conversation_id: str | None = None
    batch_id: str | None = None
    item_index: int | None = None
    item_name: str | None = None
    prompt: str
    system: str | None = None
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    model: str
    answer: str = ""
    # A reasoning model's thinking, kept apart from the answer (scores never read it).
    reasoning: str | None = None
    usage: Usage = field(default_factory=Usage)
    latency_s: float | None = None
    ttft_s: float | None = None
    finish_reason: str | None = None
    complete: bool = True
    error: str | None = None
    tag: str | None = None
    expected: str | None = None
    images: tuple[RunImage, ...] = ()
    # What the person attached when it differs from what was sent: a stitched grid's pictures,
    # or a follow-up's earlier images too (reopening the run puts these back).
    sources: tuple[RunImage, ...] = ()
    # A batch item's reference answers (all of them; `expected` is the first) and options.
    answers: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    # The key of a deterministic request (vision/batch/running/answer_cache.py), and whether
    # this answer was served from an earlier run under that key instead of being asked again.
    cache_key: str | None = None
    cached: bool = False
    # What the run asked to locate (and the reference boxes a grounding item scores it
    # against), and the frame its answer's coordinates are read in (None: its family's).
    locate: LocateTask | None = None
    frame: str | None = None

    @property
    def repeat(self) -> int:
        """Which time its batch item was asked of this model (0: the first, or the only)."""
        value = self.params.get(REPEAT_PARAM, 0)
        return value if isinstance(value, int) and value > 0 else 0

    @property
    def attached(self) -> tuple[RunImage, ...]:
        """The images to put back when the run is reopened."""
        return self.sources or self.images

    @property
    def failed(self) -> bool:
        """True when the run produced an error instead of an answer."""
        return self.error is not None

    @property
    def not_sent(self) -> bool:
        """True when the request was held back before it left (a budget): nothing was paid."""
        return self.failed and self.finish_reason == NOT_SENT


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFilter:
    """Which runs a search finds: words in a prompt, an answer or an image's file name, a
    model, a tag, a kind, and a time range (since included, until excluded)."""

    text: str | None = None
    model: str | None = None
    tag: str | None = None
    kind: RunKind | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def narrows(self) -> bool:
        """True when any filter is set."""
        return any(
            value is not None and value != ""
            for value in (self.text, self.model, self.tag, self.kind, self.since, self.until)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Vote:
    """A blind A/B judgement between two models' answers to the same image and prompt."""

    id: int = 0
    created_at: datetime = field(default_factory=utc_now)
    batch_id: str | None = None
    pair_id: str | None = None
    image_sha256: str | None = None
    model_a: str
    model_b: str
    choice: VoteChoice
    tag: str | None = None
    run_a_id: int | None = None
    run_b_id: int | None = None


def request_params(request: ChatRequest) -> dict[str, Any]:
    """The sampling parameters and reasoning effort of a request, as saved with the run."""
    params: dict[str, Any] = {}
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.max_tokens is not None:
        params["max_tokens"] = request.max_tokens
    if request.reasoning_effort is not None:
        params["reasoning_effort"] = request.reasoning_effort
    return params


def run_from_result(
    request: ChatRequest,
    outcome: ChatResult | VisionError,
    *,
    images: tuple[RunImage, ...] = (),
    context: RunContext | None = None,
    cache_key: str | None = None,
    cached: bool = False,
    frame: str | None = None,
) -> Run:
    """The run to save for a request and what came back: an answer or the error's sentence
    (`frame`: the coordinate frame a locate question was asked in)."""
    where = context or RunContext()
    common: dict[str, Any] = {
        "kind": where.kind,
        "conversation_id": where.conversation_id,
        "batch_id": where.batch_id,
        "item_index": where.item_index,
        "item_name": where.item_name,
        "prompt": request.prompt,
        "system": request.system,
        "params": request_params(request),
        "tag": where.tag,
        "expected": where.expected,
        "images": images,
        "answers": where.answers,
        "choices": where.choices,
        "locate": where.locate,
        "frame": frame,
    }
    if isinstance(outcome, VisionError):
        # An error is never cached, so it carries no cache key.
        held = NOT_SENT if isinstance(outcome, NotSentError) else None
        return Run(
            model=request.model,
            error=str(outcome),
            complete=False,
            finish_reason=held,
            **common,
        )
    return Run(
        model=request.model,
        answer=outcome.text,
        reasoning=outcome.reasoning,
        usage=outcome.usage,
        latency_s=outcome.latency_s,
        ttft_s=outcome.ttft_s,
        finish_reason=outcome.finish_reason,
        complete=outcome.complete,
        cache_key=cache_key,
        cached=cached,
        **common,
    )
