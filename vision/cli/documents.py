"""Documents and videos on the command line: --pages, --frames, --at and --stitch choose what of
each PDF, TIFF, video or animation a request sends, one image per page or frame, or one grid."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from vision.errors import ImageError, RequestError
from vision.urls.shape import is_http_url
from vision.values.image import PartChoice, SourcePart, parts_label


def add_document_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose pages and frames of the documents and videos given."""
    parser.add_argument(
        "--pages",
        metavar="PAGES",
        help='pages of each PDF or TIFF: "1-3,7", "all" (the default, up to ten) or "content" '
        "(pages at least 1%% ink or with 50 characters of text)",
    )
    parser.add_argument(
        "--frames",
        type=int,
        metavar="N",
        help="frames of each video (8 by default), or of an animated GIF or WebP, spread evenly",
    )
    parser.add_argument(
        "--at", metavar="TIMES", help="frames at these times instead, such as 0:05,0:10"
    )
    parser.add_argument(
        "--stitch",
        action="store_true",
        help="send each document's pages or video's frames as one grid labelled with their "
        "page numbers or times (what Llama 3.2 Vision reads best), not one image each",
    )


def part_choice(args: argparse.Namespace) -> PartChoice:
    """The pages or frames the options ask for; a sentence for a bad range or time."""
    from vision.images.documents.choice import parse_pages, parse_times

    choice = parse_pages(args.pages) if args.pages else PartChoice()
    if args.frames is not None and args.frames < 1:
        raise RequestError("--frames takes a whole number from 1; ask for 1 to 10 frames.")
    times = parse_times(args.at) if args.at else ()
    return PartChoice(
        pages=choice.pages, content=choice.content, frames=args.frames or 0, times=times
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Attached:
    """One image a request sends: a file or URL as named, or a page or frames of a file."""

    source: str
    parts: tuple[SourcePart, ...] = ()

    @property
    def label(self) -> str:
        """ "report.pdf, page 3 of 12", or the source as named."""
        shows = parts_label(self.parts)
        return f"{self.source}, {shows}" if shows else self.source


def _asks_frames(choice: PartChoice) -> bool:
    return bool(choice.frames or choice.times)


def _animated(data: bytes) -> bool:
    from vision.images.sniff import sniff_image

    try:
        return sniff_image(data).animated
    except ImageError:
        return False


def attached_parts(
    sources: Sequence[str],
    data: Mapping[str, bytes],
    choice: PartChoice,
    *,
    stitch: bool,
    err: TextIO,
) -> list[Attached]:
    """Each source as the images it sends (a document: its chosen pages or frames, each its
    own, or one grid with `stitch`); a sentence on `err` when fewer were taken than asked."""
    from vision.images.documents.choice import choose_parts
    from vision.images.documents.kinds import document_kind
    from vision.images.documents.opening import open_pages

    attached: list[Attached] = []
    for source in sources:
        if is_http_url(source):
            attached.append(Attached(source=source))
            continue
        bytes_ = data[source]
        animation = _asks_frames(choice) and _animated(bytes_)
        if not animation and document_kind(bytes_) in (None, "svg"):
            attached.append(Attached(source=source))
            continue
        try:
            pages = open_pages(bytes_, animation=animation)
            try:
                chosen = choose_parts(pages, choice)
            finally:
                pages.close()
        except (ImageError, RequestError) as error:
            raise type(error)(f"{source}: {error}") from None
        if chosen.note:
            err.write(f"{Path(source).name}: {chosen.note}\n")
        if stitch and len(chosen.parts) > 1:
            attached.append(Attached(source=source, parts=chosen.parts))
        else:
            attached.extend(Attached(source=source, parts=(part,)) for part in chosen.parts)
    return attached
