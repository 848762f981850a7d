"""`python -m vision ask --locate WHAT`: each model asked where WHAT is in each image, in its
family's own way; the boxes and points printed in the original image's pixels."""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from vision.cli.common import (
    chosen_reasoning,
    error_facts,
    file_slug,
    listed_models,
    make_client,
    print_json,
    read_settings,
    request_options,
)
from vision.cli.exits import EXIT_ERROR, EXIT_OK
from vision.cli.sources import read_source
from vision.errors import ImageError, RequestError, VisionError
from vision.values.grounding import Box, LocatedAnswer
from vision.values.request import DEFAULT_PROMPT, ChatRequest, RequestOptions
from vision.values.result import ChatResult

if TYPE_CHECKING:
    from vision.values.image import PreparedImage


def add_locate_options(parser: argparse.ArgumentParser) -> None:
    """The options of `ask --locate`."""
    parser.add_argument(
        "--locate",
        metavar="WHAT",
        help="ask each model where WHAT is (e.g. 'the red cup') and print the boxes in the "
        "original image's pixels",
    )
    parser.add_argument(
        "--points", action="store_true", help="with --locate: ask for points instead of boxes"
    )
    parser.add_argument(
        "--frame",
        metavar="FRAME",
        help="with --locate: read every model's numbers in this frame (rel1000, rel999, rel1, "
        "input-pixels, sent-pixels, input-rel1000) instead of its family's",
    )
    parser.add_argument(
        "--draw",
        metavar="DIR",
        type=Path,
        help="with --locate: write each image with each model's boxes drawn on it into DIR",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Job:
    model: str
    source: str
    image: PreparedImage
    request: ChatRequest


def _print_answer(job: _Job, answer: LocatedAnswer, result: ChatResult, out: TextIO) -> None:
    image = job.image
    out.write(f"=== {job.model} · {job.source} ===\n")
    for item in answer.located:
        kind = "box" if isinstance(item.shape, Box) else "point"
        numbers = ", ".join(f"{value:.1f}" for value in item.shape.as_list())
        written = ", ".join(f"{value:g}" for value in item.found.shape.as_list())
        out.write(f"{item.label or '(no label)'}: {kind} [{numbers}] (written [{written}])\n")
        if item.note:
            out.write(f"  {item.note}\n")
    if not answer.located:
        out.write("nothing located\n")
    for problem in answer.problems:
        out.write(f"problem: {problem}\n")
    out.write(
        f"frame: {answer.frame.name}, {answer.frame.description}; original "
        f"{image.original_width}×{image.original_height}, sent {image.width}×{image.height}, "
        f"read by the model as {answer.input_size[0]}×{answer.input_size[1]}\n"
        f"[{result.model} · {result.usage.line} · {result.latency_s:.2f} s]\n\n"
    )


def _draw(directory: Path, job: _Job, original: bytes, answer: LocatedAnswer) -> Path:
    from vision.images.drawing import Mark, draw_marks

    marks = [
        Mark(shape=item.shape, label=item.label or "", clipped=item.clipped)
        for item in answer.located
    ]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{file_slug(Path(job.source).stem)}.{file_slug(job.model)}.png"
    path.write_bytes(draw_marks(original, marks))
    return path


def _jobs(args: argparse.Namespace, data: dict[str, bytes], options: RequestOptions) -> list[_Job]:
    from vision.grounding.asking import locate_request
    from vision.images.intake import prepare_image

    jobs = []
    for model in args.models:
        for source in args.images:
            name = Path(source).name
            try:
                image = prepare_image(data[source], filename=name, model=model)
            except ImageError as error:
                raise type(error)(f"{source}: {error}") from None
            request = locate_request(
                model,
                args.locate,
                image,
                kind="point" if args.points else "box",
                frames={model: args.frame} if args.frame else None,
                options=options,
            )
            jobs.append(_Job(model=model, source=source, image=image, request=request))
    return jobs


def execute_locate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Ask where args.locate is in every image, print the boxes in original pixels."""
    from vision.chat.compare import stream_models
    from vision.export.located import located_record
    from vision.grounding.frames import named_frame
    from vision.grounding.reading import read_answer

    if args.prompt != DEFAULT_PROMPT:
        raise RequestError("--locate writes each model's prompt itself; leave out PROMPT.")
    if not args.images:
        raise RequestError("--locate needs an image to look in: add -i IMAGE.")
    if args.frame:
        named_frame(args.frame)
    settings = read_settings()
    data = {source: read_source(source) for source in dict.fromkeys(args.images)}
    frames = dict.fromkeys(args.models, args.frame) if args.frame else None
    outcomes: dict[int, ChatResult | VisionError] = {}
    with make_client(settings) as client:
        options = request_options(args, chosen_reasoning(args, listed_models(client), err))
        jobs = _jobs(args, data, options)
        for event in stream_models(client, [job.request for job in jobs]):
            if event.result is not None:
                outcomes[event.index] = event.result
            elif event.error is not None:
                outcomes[event.index] = event.error
    code = EXIT_OK
    results = []
    for index, job in enumerate(jobs):
        outcome = outcomes[index]
        entry: dict[str, Any] = {"model": job.model, "image": job.source}
        if isinstance(outcome, VisionError):
            err.write(f"{job.model} · {job.source}: {outcome}\n")
            entry.update(ok=False, error=error_facts(outcome))
            results.append(entry)
            code = EXIT_ERROR
            continue
        answer = read_answer(outcome.text, job.image, frames=frames)
        if not args.json:
            _print_answer(job, answer, outcome, out)
        entry.update(
            ok=True,
            original_size=[job.image.original_width, job.image.original_height],
            **located_record(answer),
            text=outcome.text,
            usage=asdict(outcome.usage),
        )
        if args.draw is not None:
            drawn = _draw(args.draw, job, data[job.source], answer)
            entry["drawn"] = str(drawn)
            if not args.json:
                out.write(f"drawn: {drawn}\n\n")
        results.append(entry)
    if args.json:
        kind = "point" if args.points else "box"
        print_json({"locate": args.locate, "kind": kind, "results": results}, out)
    return code
