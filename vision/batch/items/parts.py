"""Documents and videos as batch items: each page of a PDF or TIFF one item, a video's evenly
taken frames one item (sent as one grid labelled with their times), and a row that names a
page ("page": 3) or frames ("frames": 8, or "at": "0:05,0:10") of its file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

from vision.errors import ImageError, RequestError
from vision.values.image import PartChoice, SourcePart

PAGED_SUFFIXES = {".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff"}
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi"})
DOCUMENT_SUFFIXES = frozenset({*PAGED_SUFFIXES, *VIDEO_SUFFIXES, ".svg"})


def file_parts(name: str, read: Callable[[], bytes]) -> tuple[tuple[SourcePart, ...], ...]:
    """The items a file makes, as the parts each sends: ((),) for an image (one item, as it
    is); each page of a document; a video's frames as one item."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in PAGED_SUFFIXES and suffix not in VIDEO_SUFFIXES:
        return ((),)
    # Imported here: a folder of photos loads no PDF or video library.
    from vision.images.documents.choice import batch_parts

    try:
        data = read()
    except (ImageError, RequestError):
        return ((),)  # preparing it says why, for this item alone
    return batch_parts(data)


def part_name(name: str, parts: tuple[SourcePart, ...]) -> str:
    """An item's name: its file's, with the page it is ("report.pdf, page 3 of 12")."""
    if len(parts) != 1 or parts[0].kind not in ("pdf", "tiff"):
        return name
    return f"{name}, {parts[0].label}"


def _given(value: Any) -> bool:
    return value not in (None, "", [])


def check_row_parts(fields: Mapping[str, Any], named: str | None, where: str) -> None:
    """Raises RequestError when a row names a page or frames its file cannot have (judged by
    the file's name, nothing read), or a page or frame count that is not a whole number."""
    suffix = PurePath(named or "").suffix.lower()
    page, frames, times = fields.get("page"), fields.get("frames"), fields.get("at")
    if _given(page):
        number = _count(page, where, "page")
        if suffix not in PAGED_SUFFIXES:
            raise RequestError(
                f"{where} names page {number} of {named}, which is not a PDF or TIFF; "
                "remove the page, or name a document."
            )
    elif suffix not in VIDEO_SUFFIXES and (_given(frames) or _given(times)):
        raise RequestError(
            f"{where} names frames of {named}, which is not a video (MP4, MOV, WebM, MKV "
            "or AVI); remove them, or name a video."
        )
    elif _given(frames) and not _given(times):
        _count(frames, where, "frames")


def row_parts(
    fields: Mapping[str, Any], named: str | None, read: Callable[[], bytes], where: str
) -> tuple[SourcePart, ...]:
    """The page or frames a row names of its file (none: the file as it is, or a video's
    frames taken evenly); a sentence for a page of something that has none."""
    check_row_parts(fields, named, where)
    suffix = PurePath(named or "").suffix.lower()
    page, frames, times = fields.get("page"), fields.get("frames"), fields.get("at")
    if _given(page):
        kind = PAGED_SUFFIXES[suffix]
        index = _count(page, where, "page") - 1
        return (SourcePart(kind="pdf" if kind == "pdf" else "tiff", index=index),)
    if suffix not in VIDEO_SUFFIXES:
        return ()
    from vision.images.documents.choice import choose_parts, parse_times
    from vision.images.documents.opening import open_pages

    if _given(times):
        text = ",".join(str(time) for time in times) if isinstance(times, list) else str(times)
        chosen = parse_times(text)
        return tuple(
            SourcePart(kind="video", index=index, count=len(chosen), time_s=seconds)
            for index, seconds in enumerate(chosen)
        )
    choice = PartChoice(frames=_count(frames, where, "frames") if _given(frames) else 0)
    try:
        pages = open_pages(read())
    except (ImageError, RequestError):
        return ()  # preparing it says why, for this item alone
    try:
        return choose_parts(pages, choice).parts
    finally:
        pages.close()


def _count(value: Any, where: str, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number < 1:
        raise RequestError(f"{where} has {what} {value!r}; write a whole number from 1.")
    return number
