"""The images a person attaches (uploads, camera photos, URL lines) as entries, in order."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import urlsplit

from vision.values.image import SourcePart, parts_label

SourceKind = Literal["file", "camera", "url"]


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
    # A page of a document or a frame of a video (several: one labelled grid of them); the
    # bytes above are then the whole file (vision/chat/documents.py).
    parts: tuple[SourcePart, ...] = ()

    @property
    def shows(self) -> str:
        """Which page or frame of its file the entry is ("page 3 of 12"), or ""."""
        return parts_label(self.parts)

    @property
    def source_label(self) -> str:
        """A short name for the file itself: its name, or a URL's last path segment (else its
        host); the name a run keeps, its page or frame kept beside it."""
        if self.kind != "url":
            return self.name
        parts = urlsplit(self.name)
        return parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc or self.name

    @property
    def label(self) -> str:
        """A short name to show: the file's (see source_label) with its page or frame."""
        return f"{self.source_label}, {self.shows}" if self.parts else self.source_label

    @property
    def origin(self) -> str | None:
        """Where a URL image comes from (its host), None for uploads and photos."""
        if self.kind != "url":
            return None
        return urlsplit(self.name).netloc or None


def url_lines(text: str | None) -> list[str]:
    """The non-blank lines of the URL box, trimmed, each once, in order."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped:
            seen.setdefault(stripped, None)
    return list(seen)


@dataclass(slots=True, kw_only=True)
class Attachments:
    """What a page keeps of its images beyond the uploader's own list: every upload (a page
    switch empties the uploader, not the page), camera photos (the camera widget holds only the
    latest), images taken off the page, and each upload's content hash."""

    uploads: dict[str, ImageEntry] = field(default_factory=dict)  # by file id, as added
    listed: set[str] = field(default_factory=set)  # the file ids the uploader lists
    camera_shots: list[ImageEntry] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)
    digests: dict[str, str] = field(default_factory=dict)

    def entry_from_upload(self, upload: Upload, kind: SourceKind = "file") -> ImageEntry:
        """An uploaded or captured file as an image entry, hashed once per upload."""
        data = upload.getvalue()
        if upload.file_id not in self.digests:
            self.digests[upload.file_id] = hashlib.sha256(data).hexdigest()
        return ImageEntry(
            id=f"{kind}:{upload.file_id}",
            kind=kind,
            name=upload.name,
            data=data,
            sha256=self.digests[upload.file_id],
        )

    def remember_camera_shot(self, shot: Upload | None) -> None:
        """Keep a new camera photo."""
        if shot is None:
            return
        entry_id = f"camera:{shot.file_id}"
        if all(existing.id != entry_id for existing in self.camera_shots):
            self.camera_shots.append(self.entry_from_upload(shot, "camera"))

    def gather(self, uploads: Sequence[Upload] | None, urls: Iterable[str]) -> list[ImageEntry]:
        """Every image added and not removed: uploads (those the uploader lists now and those
        kept from before a page switch), camera photos, then URLs."""
        listed = list(uploads or ())
        for upload in listed:
            if upload.file_id not in self.uploads:
                self.uploads[upload.file_id] = self.entry_from_upload(upload)
        self.listed = {upload.file_id for upload in listed}
        for file_id in [name for name in self.uploads if name not in self.listed]:
            if f"file:{file_id}" in self.removed:  # off the page and out of the uploader
                self.forget_upload(file_id)
        entries = list(self.uploads.values())
        entries.extend(self.camera_shots)
        entries.extend(ImageEntry(id=f"url:{url}", kind="url", name=url, url=url) for url in urls)
        return [entry for entry in entries if entry.id not in self.removed]

    def uploader_changed(self, uploads: Sequence[Upload] | None) -> None:
        """The uploader's callback: a file the person took out of its list (×) leaves the page
        too. A page switch empties the uploader without calling this: those files stay."""
        now = {upload.file_id for upload in uploads or ()}
        for file_id in self.listed - now:
            self.forget_upload(file_id)
        self.listed &= now

    def replace_all(self, entries: Sequence[ImageEntry]) -> None:
        """Make these the page's only images (a question reopened as it was): every upload,
        photo and removal before them is forgotten."""
        self.uploads.clear()
        self.listed.clear()
        self.removed.clear()
        self.digests.clear()
        self.camera_shots = list(entries)

    def forget_upload(self, file_id: str) -> None:
        """Drop an upload and what was noted about it."""
        self.uploads.pop(file_id, None)
        self.digests.pop(file_id, None)
        self.removed.discard(f"file:{file_id}")

    def hidden_uploads(self, uploads: Sequence[Upload] | None) -> list[Upload]:
        """The uploads taken off the page that the uploader still lists."""
        return [upload for upload in uploads or () if f"file:{upload.file_id}" in self.removed]

    def put_back(self, entry_id: str) -> None:
        """Show an upload taken off the page again."""
        self.removed.discard(entry_id)

    def remove(self, entry_id: str, url_text: str | None) -> str | None:
        """Take an image off the page; returns the URL box's new text when a URL line went."""
        if entry_id.startswith("url:"):
            url = entry_id.removeprefix("url:")
            return "\n".join(line for line in url_lines(url_text) if line != url)
        if entry_id.startswith("camera:"):
            self.camera_shots = [shot for shot in self.camera_shots if shot.id != entry_id]
            return None
        # An uploader's files cannot be set from code, so the upload is hidden instead.
        self.removed.add(entry_id)
        return None
