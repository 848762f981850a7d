"""What the history keeps: runs (one model's answer to one request), their images, and votes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from vision.api.request import ChatRequest
from vision.api.results import ChatResult, Usage
from vision.errors import ImageError, NotSentError, VisionError
from vision.images.prepared import PreparedImage

RunKind = Literal["single", "turn", "batch_item"]
VoteChoice = Literal["a", "b", "tie", "both_bad"]
RUN_KINDS: tuple[RunKind, ...] = ("single", "turn", "batch_item")
VOTE_CHOICES: tuple[VoteChoice, ...] = ("a", "b", "tie", "both_bad")

THUMBNAIL_MAX_SIDE_PX = 160
# The finish reason of a run whose request was held back unsent (a NotSentError): a batch counts
# its job as still to ask, and the audit trail as stopped rather than failed.
NOT_SENT = "not_sent"


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunImage:
    """One image of a run: its hashes, preparation steps and a small JPEG thumbnail."""

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

    @property
    def label(self) -> str:
        """What to call the image: its file name, else its URL's last segment, else its number."""
        if self.name:
            return self.name
        if self.url:
            return self.url.rstrip("/").rsplit("/", 1)[-1] or self.url
        return f"image {self.position + 1}"


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
    # The key of a deterministic request (vision/batch/cache.py), and whether this answer was
    # served from an earlier run under that key instead of being asked again.
    cache_key: str | None = None
    cached: bool = False

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


def make_thumbnail(data: bytes) -> bytes:
    """A JPEG no larger than 160 px a side, or b"" when the bytes cannot be read as an image."""
    # Imported here: reading records (a CLI listing, the scoring) needs no image library.
    from vision.images.thumbnail import thumbnail

    try:
        return thumbnail(data, THUMBNAIL_MAX_SIDE_PX)
    except ImageError:
        return b""


def image_from_prepared(
    prepared: PreparedImage, *, position: int = 0, thumbnail: bytes | None = None
) -> RunImage:
    """The history record of a prepared image; a thumbnail of the sent bytes unless one is given."""
    return RunImage(
        position=position,
        sha256=prepared.sha256,
        source_sha256=prepared.source_sha256,
        mime=prepared.mime,
        width=prepared.width,
        height=prepared.height,
        steps=prepared.steps,
        thumbnail=make_thumbnail(prepared.data) if thumbnail is None else thumbnail,
    )


def image_from_url(url: str, *, position: int = 0) -> RunImage:
    """The history record of an image sent by URL (the server fetched it; we hold no bytes)."""
    return RunImage(position=position, sha256="", url=url)


def request_params(request: ChatRequest) -> dict[str, Any]:
    """The sampling parameters of a request, as saved with the run."""
    params: dict[str, Any] = {}
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.max_tokens is not None:
        params["max_tokens"] = request.max_tokens
    return params


def run_from_result(
    request: ChatRequest,
    outcome: ChatResult | VisionError,
    *,
    images: tuple[RunImage, ...] = (),
    kind: RunKind = "single",
    conversation_id: str | None = None,
    batch_id: str | None = None,
    item_index: int | None = None,
    item_name: str | None = None,
    tag: str | None = None,
    expected: str | None = None,
    answers: tuple[str, ...] = (),
    choices: tuple[str, ...] = (),
    cache_key: str | None = None,
    cached: bool = False,
) -> Run:
    """The run to save for a request and what came back: an answer or the error's sentence."""
    common: dict[str, Any] = {
        "kind": kind,
        "conversation_id": conversation_id,
        "batch_id": batch_id,
        "item_index": item_index,
        "item_name": item_name,
        "prompt": request.prompt,
        "system": request.system,
        "params": request_params(request),
        "tag": tag,
        "expected": expected,
        "images": images,
        "answers": answers,
        "choices": choices,
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
        usage=outcome.usage,
        latency_s=outcome.latency_s,
        ttft_s=outcome.ttft_s,
        finish_reason=outcome.finish_reason,
        complete=outcome.complete,
        cache_key=cache_key,
        cached=cached,
        **common,
    )
