"""`python -m vision check`: what would be sent for each image, or why it cannot be."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from vision.cli.common import error_facts, image_facts, print_json
from vision.cli.exits import EXIT_ERROR, EXIT_OK
from vision.errors import VisionError
from vision.sizes import human_size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `check`."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="an image file or http(s) URL")
    parser.add_argument("--model", help="prepare for this model (its size and token estimate)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")


def _check_one(source: str, model: str | None) -> dict[str, Any]:
    # Imported here, as in every command: `--help` loads no image or HTTP library.
    from vision.cli.sources import read_source
    from vision.images.intake import prepare_image
    from vision.images.profiles import profile_for

    # An id that matches no known family is prepared and estimated generically: say so.
    known = model is None or profile_for(model).basis.kind != "guess"
    report: dict[str, Any] = {
        "source": source,
        "model": model,
        "estimate": "" if known else "a guess",
    }
    try:
        image = prepare_image(read_source(source), filename=Path(source).name, model=model)
    except VisionError as error:
        return {**report, "ok": False, "error": error_facts(error)}
    return {**report, "ok": True, **image_facts(image)}


def _print_check(report: dict[str, Any], out: TextIO) -> None:
    if not report["ok"]:
        out.write(f"{report['source']}: cannot be sent: {report['error']['message']}\n")
        return
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
        target = report["model"] or "a generic model"
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
    """Report, per image, what would be sent or why it cannot be."""
    reports = [_check_one(source, args.model) for source in args.files]
    if args.json:
        print_json(reports, out)
    else:
        for report in reports:
            _print_check(report, out)
    return EXIT_OK if all(report["ok"] for report in reports) else EXIT_ERROR
