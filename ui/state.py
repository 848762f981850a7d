"""The page's images as values in session state, gathered from the uploader, camera and URLs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

SourceKind = Literal["file", "camera", "url"]
# st.session_state, or any dict in tests.
SessionState = MutableMapping[Any, Any]

# Session-state keys that are not widgets.
REMOVED_KEY = "removed_images"
CAMERA_SHOTS_KEY = "camera_shots"
DIGESTS_KEY = "_digests"
URL_KEY = "image_urls"


class Upload(Protocol):
    """What the page needs from an uploaded or captured file (Streamlit's UploadedFile)."""

    file_id: str
    name: str

    def getvalue(self) -> bytes:
        """The file's bytes."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageEntry:
    """One image the user added: uploaded or captured bytes, or a URL line."""

    id: str
    kind: SourceKind
    name: str
    data: bytes | None = field(default=None, repr=False)
    sha256: str | None = None
    url: str | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """A short name to show: the file name, or a URL's last path segment (else its host)."""
        if self.kind != "url":
            return self.name
        parts = urlsplit(self.name)
        return parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc or self.name

    @property
    def origin(self) -> str | None:
        """Where a URL image comes from (its host), None for uploads and photos."""
        if self.kind != "url":
            return None
        return urlsplit(self.name).netloc or None


def _digest(state: SessionState, file_id: str, data: bytes) -> str:
    """The content hash of an upload, computed once per upload rather than on every rerun."""
    digests: dict[str, str] = state.setdefault(DIGESTS_KEY, {})
    if file_id not in digests:
        digests[file_id] = hashlib.sha256(data).hexdigest()
    return digests[file_id]


def entry_from_upload(state: SessionState, upload: Upload, kind: SourceKind = "file") -> ImageEntry:
    """An uploaded or captured file as an image entry."""
    data = upload.getvalue()
    return ImageEntry(
        id=f"{kind}:{upload.file_id}",
        kind=kind,
        name=upload.name,
        data=data,
        sha256=_digest(state, upload.file_id, data),
    )


def url_lines(text: str | None) -> list[str]:
    """The non-blank lines of the URL box, trimmed, each once, in order."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped:
            seen.setdefault(stripped, None)
    return list(seen)


def remember_camera_shot(state: SessionState, shot: Upload | None) -> None:
    """Keep a new camera photo in the session (the camera widget holds only the latest one)."""
    if shot is None:
        return
    shots: list[ImageEntry] = state.setdefault(CAMERA_SHOTS_KEY, [])
    entry_id = f"camera:{shot.file_id}"
    if all(existing.id != entry_id for existing in shots):
        shots.append(entry_from_upload(state, shot, "camera"))


def gather_images(
    state: SessionState, uploads: Sequence[Upload] | None, urls: Iterable[str]
) -> list[ImageEntry]:
    """Every image the user added and has not removed: uploads, camera photos, then URLs."""
    removed: set[str] = state.setdefault(REMOVED_KEY, set())
    entries = [entry_from_upload(state, upload) for upload in uploads or ()]
    entries.extend(state.get(CAMERA_SHOTS_KEY, []))
    entries.extend(ImageEntry(id=f"url:{url}", kind="url", name=url, url=url) for url in urls)
    return [entry for entry in entries if entry.id not in removed]


def remove_image(state: SessionState, entry_id: str) -> None:
    """Take an image off the page (a widget callback: it may rewrite the URL box)."""
    if entry_id.startswith("url:"):
        url = entry_id.removeprefix("url:")
        state[URL_KEY] = "\n".join(line for line in url_lines(state.get(URL_KEY)) if line != url)
        return
    if entry_id.startswith("camera:"):
        shots: list[ImageEntry] = state.get(CAMERA_SHOTS_KEY, [])
        state[CAMERA_SHOTS_KEY] = [shot for shot in shots if shot.id != entry_id]
        return
    # An uploader's files cannot be set from code, so the upload is hidden instead.
    state.setdefault(REMOVED_KEY, set()).add(entry_id)
