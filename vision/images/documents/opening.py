"""A document or video opened by its kind, and the facts a card or a listing shows of it."""

from __future__ import annotations

from dataclasses import dataclass

from vision.errors import ImageError, UnsupportedImageError
from vision.images.documents.kinds import document_kind
from vision.images.documents.pages import Pages
from vision.values.image import PartKind, SourcePart, clock
from vision.words import counted


def open_pages(data: bytes, *, animation: bool = False) -> Pages:
    """The document, video or drawing these bytes hold, opened (its limits checked); with
    `animation`, an animated GIF, WebP or PNG opened for its frames. Raises ImageError."""
    # Each reader is imported when its kind arrives: a page of photos loads no PDF or video library.
    if animation:
        from vision.images.documents.animation import AnimationFrames

        return AnimationFrames(data)
    kind = document_kind(data)
    if kind == "pdf":
        from vision.images.documents.pdf import PdfPages

        return PdfPages(data)
    if kind == "tiff":
        from vision.images.documents.tiff import TiffPages

        return TiffPages(data)
    if kind == "video":
        from vision.images.documents.video import VideoFrames

        return VideoFrames(data)
    if kind == "svg":
        from vision.images.documents.svg import SvgDrawing

        return SvgDrawing(data)
    raise UnsupportedImageError(
        "This file is not a PDF, TIFF, SVG or video; send it as an image, or convert it to one."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentFacts:
    """What a document or video is, for a card or a listing: its kind, what to call its
    format, its pages or frames, and a video's or animation's length."""

    kind: PartKind | None  # None: a drawing (SVG), which is one picture
    format: str
    count: int
    duration_s: float | None = None
    # Each page's full size (a page: drawn at 200 dpi), or the sentence refusing it; a video's,
    # an animation's or a drawing's one size.
    sizes: tuple[tuple[int, int] | str, ...] = ()

    @property
    def summary(self) -> str:
        """ "a PDF of 12 pages", "an MP4 video of 0:30", "an SVG drawing"."""
        if self.kind is None:
            return f"an {self.format} drawing"
        if self.kind in ("pdf", "tiff"):
            return f"a {self.format} of {counted(self.count, 'page')}"
        length = "" if self.duration_s is None else f" of {clock(self.duration_s)}"
        what = "video" if self.kind == "video" else f"animation ({self.count} frames)"
        # Said as letters, an initial A, E, F, H, I, L, M, N, O, R, S or X takes "an".
        article = "an" if self.format[:1] in "AEFHILMNORSX" else "a"
        return f"{article} {self.format} {what}{length}"


def describe_document(data: bytes, *, animation: bool = False) -> DocumentFacts | None:
    """The facts of a document or video (None for an ordinary image); raises ImageError for
    one that cannot be opened (a password, damage, a limit), in one sentence."""
    if not animation and document_kind(data) is None:
        return None
    pages = open_pages(data, animation=animation)
    try:
        paged = pages.kind in ("pdf", "tiff")
        kind = pages.kind if pages.kind is not None else "pdf"
        return DocumentFacts(
            kind=pages.kind,
            format=pages.format,
            count=pages.count,
            duration_s=pages.duration_s,
            sizes=tuple(
                _size(pages, SourcePart(kind=kind, index=index) if paged else None)
                for index in range(pages.count if paged else 1)
            ),
        )
    finally:
        pages.close()


def _size(pages: Pages, part: SourcePart | None) -> tuple[int, int] | str:
    try:
        return pages.size(part)
    except ImageError as error:
        return str(error)
