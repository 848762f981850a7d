"""Documents and videos attached on the Playground: what each is, the pages a picker offers, and
the entries a choice makes of it (one a page or frame, each with its own card), with the
sentence saying which were taken when more were asked than a request holds."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from vision.chat.attachments import ImageEntry
from vision.chat.preparation import PreparationCache
from vision.errors import ImageError, VisionError, without_traceback
from vision.images.documents.choice import Chosen, choose_parts, parse_pages, parse_times
from vision.images.documents.opening import DocumentFacts, describe_document, open_pages
from vision.images.sniff import sniff_image
from vision.values.image import PartChoice, SourcePart

# What a document or video sends when nobody chose yet: its pages (up to ten), or 8 frames.
DEFAULT_CHOICE = PartChoice()


def _animated(data: bytes) -> bool:
    try:
        return sniff_image(data).animated
    except ImageError:
        return False


def document_facts(cache: PreparationCache, entry: ImageEntry) -> DocumentFacts | None:
    """What an attached file is when it is a document or video (its kind, format, pages or
    length), once per content; None for an image, a URL, or a file that cannot be opened (its
    card then says why)."""
    if entry.data is None or entry.sha256 is None:
        return None
    if entry.sha256 not in cache.documents:
        try:
            cache.documents[entry.sha256] = describe_document(entry.data)
        except ImageError as err:
            cache.documents[entry.sha256] = without_traceback(err)
    found = cache.documents[entry.sha256]
    return found if isinstance(found, DocumentFacts) else None


def page_options(facts: DocumentFacts) -> tuple[SourcePart, ...]:
    """The pages a picker offers for a PDF or TIFF (each "page 3 of 12"); none for a video or
    an animation, whose frames are chosen by a number or by times."""
    if facts.kind not in ("pdf", "tiff"):
        return ()
    return tuple(
        SourcePart(kind=facts.kind, index=index, count=facts.count) for index in range(facts.count)
    )


def read_choice(text: str, facts: DocumentFacts) -> PartChoice:
    """What a picker's text asks of this document or video: pages ("1-3,7", "all",
    "content") of a PDF or TIFF, or of a video a number of frames taken evenly ("8") or
    times ("0:05,0:10"); raises RequestError with what to write."""
    if facts.kind in ("pdf", "tiff"):
        return parse_pages(text)
    cleaned = text.strip()
    if not cleaned:
        return DEFAULT_CHOICE
    if cleaned.isdigit() and int(cleaned) > 0:
        return PartChoice(frames=int(cleaned))
    return PartChoice(times=parse_times(cleaned))


def part_id(entry: ImageEntry, parts: tuple[SourcePart, ...]) -> str:
    """The id of the entry a page or frame makes (the page takes one off by it)."""
    return (
        entry.id
        + "#"
        + "+".join(
            f"{part.kind}{part.index}" + (f"@{part.time_s:g}" if part.time_s is not None else "")
            for part in parts
        )
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Expanded:
    """Entries with each document or video replaced by its chosen pages or frames, each
    document's facts, and per document the sentence when fewer were taken than asked (or why
    nothing could be chosen)."""

    entries: tuple[ImageEntry, ...]
    facts: dict[str, DocumentFacts] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _chosen(
    cache: PreparationCache, entry: ImageEntry, choice: PartChoice, animation: bool
) -> Chosen | VisionError:
    assert entry.data is not None
    assert entry.sha256 is not None
    key = (entry.sha256, choice)
    if key not in cache.chosen:
        try:
            pages = open_pages(entry.data, animation=animation)
            try:
                cache.chosen[key] = choose_parts(pages, choice)
            finally:
                pages.close()
        except VisionError as err:
            cache.chosen[key] = without_traceback(err)
    return cache.chosen[key]


def expand_documents(
    cache: PreparationCache,
    entries: Sequence[ImageEntry],
    choices: Mapping[str, PartChoice],
    *,
    removed: Collection[str] = (),
    stitch: Collection[str] = (),
) -> Expanded:
    """Each document or video entry as the entries of its chosen pages or frames (`choices` by
    entry id; none chosen: its pages up to ten, or 8 frames of a video), one each, or one grid
    for the ids in `stitch`; an animated GIF or WebP is taken frame by frame only when a
    choice names its frames. Page entries whose ids are in `removed` are left out; an entry
    that already names its pages or frames (a reopened run's) stays as it is."""
    result: list[ImageEntry] = []
    facts: dict[str, DocumentFacts] = {}
    notes: dict[str, str] = {}
    for entry in entries:
        if entry.parts:
            result.append(entry)
            continue
        choice = choices.get(entry.id, DEFAULT_CHOICE)
        animation = bool(choice.frames or choice.times) and _animated(entry.data or b"")
        found = document_facts(cache, entry) if not animation else None
        if entry.data is None or (found is None and not animation) or (found and not found.kind):
            result.append(entry)  # an image, a URL, a drawing, or a file whose card says why
            continue
        if found is not None:
            facts[entry.id] = found
        chosen = _chosen(cache, entry, choice, animation)
        if isinstance(chosen, VisionError):
            notes[entry.id] = str(chosen)
            result.append(entry)
            continue
        if chosen.note:
            notes[entry.id] = chosen.note
        groups = [chosen.parts] if entry.id in stitch else [(part,) for part in chosen.parts]
        for parts in groups:
            made = replace(entry, id=part_id(entry, parts), parts=parts)
            if made.id not in removed:
                result.append(made)
    return Expanded(entries=tuple(result), facts=facts, notes=notes)
