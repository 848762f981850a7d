"""`python -m vision check`: what would be sent for each image (each page or frame of a document
or video, listed first), or why it cannot be."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from vision.cli.common import error_facts, image_facts, print_json
from vision.cli.documents import Attached, add_document_options, attached_parts, part_choice
from vision.cli.exits import EXIT_ERROR, EXIT_OK
from vision.errors import VisionError
from vision.sizes import human_size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `check`."""
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="an image, PDF, TIFF, SVG or video, or a URL"
    )
    parser.add_argument(
        "--model",
        action="append",
        help="prepare for this model (its size and token estimate); repeat for several",
    )
    add_document_options(parser)
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")


def _check_one(data: bytes, image: Attached, model: str | None) -> dict[str, Any]:
    # Imported here, as in every command: `--help` loads no image or HTTP library.
    from vision.images.intake import prepare_image
    from vision.images.profiles import profile_for

    # An id that matches no known family is prepared and estimated generically: say so.
    known = model is None or profile_for(model).basis.kind != "guess"
    report: dict[str, Any] = {
        "source": image.label,
        "model": model,
        "estimate": "" if known else "a guess",
    }
    try:
        prepared = prepare_image(
            data, filename=Path(image.source).name, model=model, parts=image.parts
        )
    except VisionError as error:
        return {**report, "ok": False, "error": error_facts(error)}
    return {**report, "ok": True, **image_facts(prepared)}


def _listing(source: str, data: bytes) -> dict[str, Any] | None:
    """A document's or video's facts and each page's size, or None for an image."""
    from vision.images.documents.opening import describe_document

    facts = describe_document(data)
    if facts is None:
        return None
    return {
        "source": source,
        "ok": True,
        "document": {
            "summary": facts.summary,
            "kind": facts.kind,
            "format": facts.format,
            "count": facts.count,
            "duration_s": facts.duration_s,
            "sizes": [
                {"error": size} if isinstance(size, str) else {"width": size[0], "height": size[1]}
                for size in facts.sizes
            ],
        },
    }


def _check_source(
    source: str, models: list[str | None], args: argparse.Namespace, err: TextIO
) -> list[dict[str, Any]]:
    from vision.cli.sources import read_source

    try:
        data = read_source(source)
        listing = _listing(source, data)
        attached = attached_parts(
            [source], {source: data}, part_choice(args), stitch=args.stitch, err=err
        )
    except VisionError as error:
        return [{"source": source, "model": None, "ok": False, "error": error_facts(error)}]
    reports = [listing] if listing is not None else []
    reports.extend(_check_one(data, image, model) for image in attached for model in models)
    return reports


def _size_groups(sizes: list[dict[str, Any]], drawn: str) -> list[tuple[int, int, str]]:
    """Runs of pages of the same size (or the same refusal): (first, last, what to say)."""
    groups: list[tuple[int, int, str]] = []
    for number, size in enumerate(sizes, start=1):
        what = size.get("error") or f"{size['width']}×{size['height']} px{drawn}"
        if groups and groups[-1][2] == what and groups[-1][1] == number - 1:
            groups[-1] = (groups[-1][0], number, what)
        else:
            groups.append((number, number, what))
    return groups


def _print_listing(report: dict[str, Any], out: TextIO) -> None:
    document = report["document"]
    out.write(f"{report['source']}: {document['summary']}\n")
    drawn = " (drawn at 200 dpi)" if document["kind"] in ("pdf", None) else ""
    for first, last, what in _size_groups(document["sizes"], drawn):
        if document["kind"] not in ("pdf", "tiff"):
            out.write(f"  {what}\n")
            continue
        pages = f"page {first}" if first == last else f"pages {first}–{last}"
        out.write(f"  {pages}: {what}\n")


def _print_check(report: dict[str, Any], out: TextIO) -> None:
    if "document" in report:
        _print_listing(report, out)
        return
    if not report["ok"]:
        out.write(f"{report['source']}: cannot be sent: {report['error']['message']}\n")
        return
    target = report["model"] or "a generic model"
    out.write(f"{report['source']}: ok\n")
    out.write(
        f"  sends {report['mime']} {report['width']}×{report['height']}, "
        f"{human_size(report['size_bytes'])}\n"
    )
    out.write(
        f"  original {report['original_format']} {report['original_width']}×"
        f"{report['original_height']}, {human_size(report['original_size_bytes'])}\n"
    )
    if report["estimated_tokens"] is not None:
        guess = (
            f" (a guess: {target} matches no model family with a published image geometry)"
            if report["estimate"]
            else ""
        )
        out.write(f"  about {report['estimated_tokens']} prompt tokens on {target}{guess}\n")
    for step in report["steps"]:
        out.write(f"  step: {step}\n")
    for note in report.get("notes", ()):
        out.write(f"  note: {note}\n")
    for warning in report["warnings"]:
        out.write(f"  warning: {warning}\n")


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Report, per image (per page or frame of a document or video), and per model, what
    would be sent or why it cannot be."""
    models: list[str | None] = list(args.model) if args.model else [None]
    reports = [
        report for source in args.files for report in _check_source(source, models, args, err)
    ]
    if args.json:
        print_json(reports, out)
    else:
        for report in reports:
            _print_check(report, out)
    return EXIT_OK if all(report["ok"] for report in reports) else EXIT_ERROR
