"""Which pages or frames of a document or video to send: page ranges ("1-3,7"), the pages with
content, frames sampled evenly or at chosen times; at most what a request takes, with a
sentence naming what was taken when more were asked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vision.errors import ImageError, RequestError
from vision.images.documents.animation import AnimationFrames
from vision.images.documents.kinds import document_kind
from vision.images.documents.opening import open_pages
from vision.images.documents.pages import Pages
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.values.image import PartChoice, SourcePart, clock
from vision.words import counted

# Frames taken from a video when nobody says how many: 8 fill a 3×3 stitched grid with a tile to
# spare, and are the smallest setting VLMEvalKit names its video benchmarks with ("_8frame").
DEFAULT_FRAMES = 8
# What "pages with content" keeps: a page at least 1% ink, or holding 50 characters of text
# (docs/documents.md). Ink is any pixel darker than 224 of 255 with the page drawn 256 px long.
CONTENT_INK = 0.01
CONTENT_CHARACTERS = 50
_INK_SIDE = 256
_INK_BELOW = 224
_RANGE = re.compile(r"^\s*(\d+)\s*(?:[-–]\s*(\d+)\s*)?$")
_CLOCK = re.compile(r"^\s*(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)\s*$")


def parse_pages(text: str) -> PartChoice:
    """ "all", "content" or page numbers and ranges ("1-3,7") as a choice; a sentence if not."""
    cleaned = text.strip().lower()
    if cleaned in ("", "all"):
        return PartChoice()
    if cleaned == "content":
        return PartChoice(content=True)
    pages: list[int] = []
    for piece in cleaned.split(","):
        found = _RANGE.match(piece)
        first, last = (
            (int(found.group(1)), int(found.group(2) or found.group(1))) if found else (0, 0)
        )
        if not found or first < 1 or last < first:
            raise RequestError(
                f"{piece.strip() or text!r} is not a page or a range of pages; write pages as "
                '"1-3,7" (from 1), "all" or "content".'
            )
        pages.extend(range(first, last + 1))
    return PartChoice(pages=tuple(dict.fromkeys(pages)))


def parse_times(text: str) -> tuple[float, ...]:
    """Times such as "0:05,0:10", "1:02:03.5" or "12.5" (seconds) as seconds; a sentence if not."""
    times: list[float] = []
    for piece in text.split(","):
        found = _CLOCK.match(piece)
        if not found:
            raise RequestError(
                f"{piece.strip() or text!r} is not a time; write times as 0:05, 1:02:03 or 12.5 "
                "(seconds), separated by commas."
            )
        hours, minutes, seconds = found.groups()
        times.append(int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds))
    return tuple(dict.fromkeys(times))


def even_times(duration_s: float, count: int) -> tuple[float, ...]:
    """`count` times spread evenly over a video: the middle of each of `count` equal spans, so
    neither the first frame (often black) nor the last is taken."""
    return tuple(duration_s * (index + 0.5) / count for index in range(count))


def ink_share(pages: Pages, part: SourcePart) -> float:
    """The share of a page that is ink when drawn 256 px long (pixels darker than 224)."""
    width, height = pages.size(part)
    scale = _INK_SIDE / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    histogram = pages.render(part, size).convert("L").histogram()
    return sum(histogram[:_INK_BELOW]) / (size[0] * size[1])


def has_content(pages: Pages, part: SourcePart) -> bool:
    """True when a page passes the threshold of "pages with content": 1% ink, or 50
    characters of text (a PDF's; a scan has no text to count)."""
    if ink_share(pages, part) >= CONTENT_INK:
        return True
    if pages.kind != "pdf":
        return False
    from vision.images.documents.pdf import PdfPages  # loaded already: this is a PDF

    assert isinstance(pages, PdfPages)
    return pages.characters(part.index) >= CONTENT_CHARACTERS


@dataclass(frozen=True, slots=True, kw_only=True)
class Chosen:
    """The pages or frames taken, and a sentence when fewer were taken than asked."""

    parts: tuple[SourcePart, ...]
    note: str | None = None


def _numbers(parts: tuple[SourcePart, ...]) -> str:
    numbers = [part.number for part in parts]
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(str(number) for number in numbers)


def _pages(pages: Pages, choice: PartChoice, limit: int | None) -> Chosen:
    assert pages.kind is not None
    if choice.frames or choice.times:
        raise RequestError(
            f"A {pages.format} has pages, not frames or times; choose pages such as 1-3,7."
        )
    count = pages.count
    past = [number for number in choice.pages if number > count]
    if past:
        raise RequestError(
            f"This {pages.format} has {counted(count, 'page')}; there is no page "
            f"{past[0]}. Choose pages from 1 to {count}."
        )
    numbers = choice.pages or tuple(range(1, count + 1))
    parts = tuple(SourcePart(kind=pages.kind, index=n - 1, count=count) for n in numbers)
    which = "pages"
    if choice.content:
        parts = tuple(part for part in parts if has_content(pages, part))
        which = "pages with content"
        if not parts:
            raise RequestError(
                f"No page of this {pages.format} passes the content threshold (1% ink or 50 "
                "characters of text); choose pages by number instead."
            )
    if limit is None or len(parts) <= limit:
        return Chosen(parts=parts)
    taken = parts[:limit]
    following = parts[limit : 2 * limit]
    return Chosen(
        parts=taken,
        note=(
            f"Pages {_numbers(taken)} were taken, the first {limit} of the {len(parts)} "
            f"{which}: a request takes at most {MAX_IMAGES_PER_REQUEST} images. Choose others "
            f"with a page range, such as {_numbers(following).replace('–', '-')}."
        ),
    )


def _frames(pages: Pages, choice: PartChoice, limit: int | None) -> Chosen:
    assert pages.kind is not None
    if choice.pages or choice.content:
        raise RequestError(
            f"A {pages.format} {'video' if pages.kind == 'video' else 'animation'} has frames, "
            "not pages; choose a number of frames or times such as 0:05,0:10."
        )
    duration = pages.duration_s or 0.0
    late = [seconds for seconds in choice.times if seconds > duration]
    if late:
        raise RequestError(
            f"This video lasts {clock(duration)}; there is nothing at {clock(late[0])}. "
            f"Choose times up to {clock(duration)}."
        )
    asked = len(choice.times) or choice.frames or DEFAULT_FRAMES
    kept = asked if limit is None else min(asked, limit)
    times = choice.times[:kept] if choice.times else even_times(duration, kept)
    parts = tuple(_frame(pages, index, len(times), seconds) for index, seconds in enumerate(times))
    if pages.kind == "animation":
        parts = tuple({part.index: part for part in parts}.values())  # one card per frame
    if kept == asked:
        return Chosen(parts=parts)
    how = "the first" if choice.times else "evenly"
    return Chosen(
        parts=parts,
        note=(
            f"{kept} of the {asked} frames asked were taken ({how}): a request takes at most "
            f"{MAX_IMAGES_PER_REQUEST} images. Ask for {kept} or fewer, or choose times."
        ),
    )


def _frame(pages: Pages, position: int, count: int, seconds: float) -> SourcePart:
    """A video's frame by its place among those taken, or an animation's by its own number."""
    if isinstance(pages, AnimationFrames):
        index = pages.index_at(seconds)
        return SourcePart(
            kind="animation", index=index, count=pages.count, time_s=pages.start_of(index)
        )
    return SourcePart(kind="video", index=position, count=count, time_s=round(seconds, 3))


def choose_parts(
    pages: Pages, choice: PartChoice, *, limit: int | None = MAX_IMAGES_PER_REQUEST
) -> Chosen:
    """The pages or frames of an opened document or video that a choice names, at most `limit`
    (None: all of them, as a batch takes them), with a sentence when fewer were taken."""
    if pages.kind is None:
        return Chosen(parts=())  # a drawing is one picture: nothing to choose
    if pages.kind in ("pdf", "tiff"):
        return _pages(pages, choice, limit)
    return _frames(pages, choice, limit)


def batch_parts(data: bytes) -> tuple[tuple[SourcePart, ...], ...]:
    """The items a batch makes of a file: each page of a PDF or TIFF one item, a video's
    evenly taken frames one item (sent as one labelled grid), anything else one item as it is,
    and so is a document that cannot be opened (preparing it then says why, for it alone)."""
    if document_kind(data) in (None, "svg"):
        return ((),)
    try:
        pages = open_pages(data)
    except ImageError:
        return ((),)
    try:
        if pages.kind in ("pdf", "tiff"):
            chosen = choose_parts(pages, PartChoice(), limit=None)
            return tuple((part,) for part in chosen.parts)
        return (choose_parts(pages, PartChoice(frames=DEFAULT_FRAMES)).parts,)
    finally:
        pages.close()
