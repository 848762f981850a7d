"""Each image made ready for each chosen model, once per content and model, kept in the session."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ui.state import ImageEntry, SessionState
from vision import ImageError, ImageRef, PreparedImage, prepare_image
from vision.fetch import fetch_image
from vision.limits import MAX_IMAGES_PER_REQUEST

PREPARED_KEY = "_prepared"
FETCHED_KEY = "_fetched"

URL_FETCHED_NOTE = "Fetched and checked here; sent inline, like an uploaded file."


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageStatus:
    """An image with what each chosen model will receive, or why it cannot be sent."""

    entry: ImageEntry
    position: int
    prepared: dict[str | None, PreparedImage] = field(default_factory=dict, repr=False)
    error: str | None = None
    note: str | None = None
    over_limit: bool = False

    @property
    def sendable(self) -> bool:
        """True when nothing stops this image from being sent."""
        return self.error is None and not self.over_limit

    @property
    def thumbnail(self) -> bytes | None:
        """The smallest prepared version's bytes: cheap to show, and what a model will see."""
        if not self.prepared:
            return None
        return min(self.prepared.values(), key=lambda image: image.size_bytes).data

    def ref_for(self, model: str) -> ImageRef:
        """The content part this image becomes in a request to this model."""
        return self.prepared[model].as_ref()


def _fetched(
    state: SessionState, entry: ImageEntry, *, allow_loopback: bool
) -> ImageEntry | ImageError:
    """The URL's bytes as an entry (fetched once per URL), or the sentence saying why not."""
    assert entry.url is not None
    cache: dict[str, ImageEntry | ImageError] = state.setdefault(FETCHED_KEY, {})
    if entry.url not in cache:
        try:
            fetched = fetch_image(entry.url, allow_loopback=allow_loopback)
        except ImageError as err:
            err.__traceback__ = None
            cache[entry.url] = err
        else:
            data = fetched.data
            cache[entry.url] = ImageEntry(
                id=entry.id,
                kind="url",
                name=entry.name,
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                url=entry.url,
            )
    return cache[entry.url]


def _prepared(
    state: SessionState, entry: ImageEntry, model: str | None
) -> PreparedImage | ImageError:
    """prepare_image for one content and model, computed at most once per session."""
    assert entry.data is not None
    assert entry.sha256 is not None
    cache: dict[tuple[str, str | None], PreparedImage | ImageError] = state.setdefault(
        PREPARED_KEY, {}
    )
    key = (entry.sha256, model)
    if key not in cache:
        try:
            cache[key] = prepare_image(entry.data, filename=entry.name, model=model)
        except ImageError as err:
            err.__traceback__ = None  # keep no frames alive in the session
            cache[key] = err
    return cache[key]


def _forget_unused(state: SessionState, entries: Sequence[ImageEntry]) -> None:
    """Drop prepared versions of images no longer on the page."""
    cache: dict[tuple[str, str | None], Any] = state.get(PREPARED_KEY, {})
    live = {entry.sha256 for entry in entries}
    for key in [key for key in cache if key[0] not in live]:
        del cache[key]


def prepare_all(
    state: SessionState,
    entries: Sequence[ImageEntry],
    models: Sequence[str],
    *,
    allow_loopback: bool,
) -> list[ImageStatus]:
    """The status of every image for every chosen model (or a model-neutral check when none)."""
    targets: list[str | None] = list(models) or [None]
    statuses: list[ImageStatus] = []
    resolved: list[ImageEntry] = []
    for position, entry in enumerate(entries, start=1):
        if position > MAX_IMAGES_PER_REQUEST:
            statuses.append(ImageStatus(entry=entry, position=position, over_limit=True))
            continue
        source: ImageEntry | ImageError = entry
        note = None
        if entry.kind == "url":
            source = _fetched(state, entry, allow_loopback=allow_loopback)
            note = URL_FETCHED_NOTE
        if isinstance(source, ImageError):
            statuses.append(ImageStatus(entry=entry, position=position, error=str(source)))
            continue
        resolved.append(source)
        prepared: dict[str | None, PreparedImage] = {}
        error = None
        for model in targets:
            outcome = _prepared(state, source, model)
            if isinstance(outcome, ImageError):
                error = str(outcome)
                break
            prepared[model] = outcome
        statuses.append(
            ImageStatus(
                entry=source,
                position=position,
                prepared={} if error else prepared,
                error=error,
                note=note,
            )
        )
    _forget_unused(state, resolved)
    return statuses
