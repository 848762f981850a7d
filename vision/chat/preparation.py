"""Each image made ready for each chosen model, once per content and model, kept in the session."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from vision.api.catalog import compact_name
from vision.chat.attachments import ImageEntry
from vision.errors import ImageError, VisionError, without_traceback
from vision.images.documents.choice import Chosen
from vision.images.documents.opening import DocumentFacts
from vision.images.encode import data_url
from vision.images.intake import prepare_image
from vision.images.pixels import DecodedPixels
from vision.images.profiles import DEFAULT_QWEN_TOKEN_BUDGET, profile_for
from vision.images.thumbnail import thumbnail
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.markdown import clip
from vision.urls.fetch import fetch_image
from vision.urls.sending import (
    DEFAULT_URL_MODE,
    UNCHECKED,
    UNREACHABLE,
    URLMode,
    choose_url_ref,
    points_to_this_machine,
    unchecked_ref,
)
from vision.urls.shape import is_http_url
from vision.values.image import PartChoice, PreparedImage, SourcePart
from vision.values.request import ImageRef

# The card shows thumbnails this size (twice the on-screen width, for sharp high-DPI screens).
THUMBNAIL_SIDE = 192

URL_FETCHED_NOTE = "Fetched and checked here; sent inline, like an uploaded file."
URL_CHECKED_NOTE = "Fetched and checked here."

# (content hash, model, token budget, the page or frames of a document it shows)
PrepKey = tuple[str, str | None, int | None, tuple[SourcePart, ...]]
# (content hash, the page or frames it shows)
ShownKey = tuple[str, tuple[SourcePart, ...]]


@dataclass(slots=True, kw_only=True)
class PreparationCache:
    """What prepare_all has made, kept between calls (a page keeps one per session): each
    content prepared per model and budget, each URL fetched, each thumbnail; errors kept
    without their tracebacks, so no frames stay alive."""

    prepared: dict[PrepKey, PreparedImage | ImageError] = field(default_factory=dict)
    fetched: dict[str, ImageEntry | ImageError] = field(default_factory=dict)
    thumbnails: dict[ShownKey, str | None] = field(default_factory=dict)
    # What each attached document or video is, and the pages or frames a choice takes of it
    # (vision/chat/documents.py), by content hash: a rerun opens no file again.
    documents: dict[str, DocumentFacts | ImageError | None] = field(default_factory=dict)
    chosen: dict[tuple[str, PartChoice], Chosen | VisionError] = field(default_factory=dict)

    def forget_model(self, model: str) -> None:
        """Drop what was prepared for this model (its geometry was just learned)."""
        for key in [key for key in self.prepared if key[1] == model]:
            del self.prepared[key]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageStatus:
    """An image with what each chosen model will receive, or why it cannot be sent."""

    entry: ImageEntry
    position: int
    prepared: dict[str | None, PreparedImage] = field(default_factory=dict, repr=False)
    error: str | None = None
    note: str | None = None
    over_limit: bool = False
    refs: dict[str, ImageRef] = field(default_factory=dict, repr=False)
    sent_notes: dict[str, str] = field(default_factory=dict)
    preview: str | None = field(default=None, repr=False)

    @property
    def sendable(self) -> bool:
        """True when nothing stops this image from being sent."""
        return self.error is None and not self.over_limit

    @property
    def thumbnail(self) -> str | None:
        """A small JPEG of the image as a data URL (made once per content), else None."""
        return self.preview

    def ref_for(self, model: str) -> ImageRef:
        """The content part this image becomes in a request to this model."""
        if model in self.refs:
            return self.refs[model]
        return self.prepared[model].as_ref()


def _fetched(
    cache: PreparationCache, entry: ImageEntry, *, allow_loopback: bool
) -> ImageEntry | ImageError:
    """The URL's bytes as an entry (fetched once per URL), or the sentence saying why not."""
    assert entry.url is not None
    fetched_urls = cache.fetched
    if entry.url not in fetched_urls:
        try:
            fetched = fetch_image(entry.url, allow_loopback=allow_loopback)
        except ImageError as err:
            fetched_urls[entry.url] = without_traceback(err)
        else:
            data = fetched.data
            fetched_urls[entry.url] = ImageEntry(
                id=entry.id,
                kind="url",
                name=entry.name,
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                url=entry.url,
            )
    return fetched_urls[entry.url]


def _budget_for(model: str | None, qwen_token_budget: int) -> int | None:
    """The token budget that shapes this model's version (only grid families depend on it)."""
    return qwen_token_budget if profile_for(model).geometry.budgeted else None


def _prepared(
    cache: PreparationCache,
    entry: ImageEntry,
    model: str | None,
    qwen_token_budget: int,
    pixels: DecodedPixels,
) -> PreparedImage | ImageError:
    """prepare_image for one content, model and budget, computed at most once per session."""
    assert entry.data is not None
    assert entry.sha256 is not None
    prepared = cache.prepared
    budget = _budget_for(model, qwen_token_budget)
    key = (entry.sha256, model, budget, entry.parts)
    if key not in prepared:
        try:
            prepared[key] = prepare_image(
                entry.data,
                filename=entry.name,
                model=model,
                qwen_token_budget=budget or DEFAULT_QWEN_TOKEN_BUDGET,
                pixels=pixels,
                parts=entry.parts,
            )
        except ImageError as err:
            prepared[key] = without_traceback(err)
    return prepared[key]


def _thumbnail(cache: PreparationCache, entry: ImageEntry, pixels: DecodedPixels) -> str | None:
    """The card's thumbnail as a data URL, made once per content: the browser shows it as it
    is, so a rerun neither decodes nor encodes (Streamlit would open and hash bytes each time)."""
    assert entry.data is not None
    assert entry.sha256 is not None
    thumbnails = cache.thumbnails
    key = (entry.sha256, entry.parts)
    if key not in thumbnails:
        try:
            thumbnails[key] = data_url(
                "image/jpeg", thumbnail(entry.data, THUMBNAIL_SIDE, pixels, entry.parts)
            )
        except ImageError:
            thumbnails[key] = None  # the card shows the preparation's error instead
    return thumbnails[key]


def _forget_unused(
    cache: PreparationCache, entries: Sequence[ImageEntry], qwen_token_budget: int
) -> None:
    """Drop prepared versions of images no longer on the page, or made for another budget."""
    live = {(entry.sha256, entry.parts) for entry in entries}
    for key in list(cache.prepared):
        stale = key[2] is not None and key[2] != qwen_token_budget
        if (key[0], key[3]) not in live or stale:
            del cache.prepared[key]
    for shown in [shown for shown in cache.thumbnails if shown not in live]:
        del cache.thumbnails[shown]


def _unchecked(entry: ImageEntry, position: int, models: Sequence[str]) -> ImageStatus:
    """A URL sent as is: no fetch, so nothing known but the link itself."""
    assert entry.url is not None
    try:
        refs = {model: unchecked_ref(entry.url, entry.label) for model in models}
    except ImageError as err:
        return ImageStatus(entry=entry, position=position, error=str(err))
    note = UNCHECKED
    if points_to_this_machine(entry.url):
        note += " " + UNREACHABLE
    return ImageStatus(entry=entry, position=position, refs=refs, note=note)


def _url_refs(
    entry: ImageEntry, prepared: dict[str | None, PreparedImage], mode: URLMode
) -> tuple[dict[str, ImageRef], dict[str, str]]:
    """Per model: the link or the inline bytes, and the card's sentence."""
    assert entry.url is not None
    refs: dict[str, ImageRef] = {}
    notes: dict[str, str] = {}
    for model, image in prepared.items():
        if model is None:
            continue
        choice = choose_url_ref(entry.url, image, target=compact_name(model), mode=mode)
        refs[model] = choice.ref
        notes[model] = choice.note
    return refs, notes


def prepare_all(
    cache: PreparationCache,
    entries: Sequence[ImageEntry],
    models: Sequence[str],
    *,
    allow_loopback: bool,
    qwen_token_budget: int = DEFAULT_QWEN_TOKEN_BUDGET,
    url_mode: URLMode = DEFAULT_URL_MODE,
) -> list[ImageStatus]:
    """The status of every image for every chosen model (or a model-neutral check when none)."""
    statuses: list[ImageStatus] = []
    resolved: list[ImageEntry] = []
    sendable = 0  # only images that can go count toward the per-request limit
    for position, entry in enumerate(entries, start=1):
        if entry.kind == "url" and entry.url is not None and not is_http_url(entry.url):
            statuses.append(
                ImageStatus(entry=entry, position=position, error=not_an_image_url(entry.url))
            )
            continue
        if sendable >= MAX_IMAGES_PER_REQUEST:
            statuses.append(ImageStatus(entry=entry, position=position, over_limit=True))
            continue
        status = _status(
            cache,
            entry,
            position,
            models,
            allow_loopback=allow_loopback,
            qwen_token_budget=qwen_token_budget,
            url_mode=url_mode,
            resolved=resolved,
        )
        sendable += status.sendable
        statuses.append(status)
    _forget_unused(cache, resolved, qwen_token_budget)
    return statuses


def not_an_image_url(line: str) -> str:
    """The sentence for a line of the URL box that is no http(s) link."""
    return (
        f"“{clip(line, 60)}” is not a valid image URL: give an http(s) link to an image, "
        "one per line."
    )


def _status(
    cache: PreparationCache,
    entry: ImageEntry,
    position: int,
    models: Sequence[str],
    *,
    allow_loopback: bool,
    qwen_token_budget: int,
    url_mode: URLMode,
    resolved: list[ImageEntry],
) -> ImageStatus:
    """One image's status for every chosen model (or a model-neutral check when none)."""
    if entry.kind == "url" and url_mode == "as_is":
        return _unchecked(entry, position, models)
    source: ImageEntry | ImageError = entry
    note = None
    if entry.kind == "url":
        source = _fetched(cache, entry, allow_loopback=allow_loopback)
        note = URL_FETCHED_NOTE if url_mode == "inline" else URL_CHECKED_NOTE
    if isinstance(source, ImageError):
        return ImageStatus(entry=entry, position=position, error=str(source))
    resolved.append(source)
    prepared: dict[str | None, PreparedImage] = {}
    error = None
    targets: list[str | None] = [*models] or [None]
    assert source.data is not None
    pixels = DecodedPixels(source.data)  # the models' versions share a decode, then it goes
    for model in targets:
        outcome = _prepared(cache, source, model, qwen_token_budget, pixels)
        if isinstance(outcome, ImageError):
            error = str(outcome)
            break
        prepared[model] = outcome
    refs: dict[str, ImageRef] = {}
    sent_notes: dict[str, str] = {}
    if source.kind == "url" and not error:
        refs, sent_notes = _url_refs(source, prepared, url_mode)
    return ImageStatus(
        entry=source,
        position=position,
        prepared={} if error else prepared,
        error=error,
        note=note,
        refs=refs,
        sent_notes=sent_notes,
        preview=_thumbnail(cache, source, pixels),
    )
