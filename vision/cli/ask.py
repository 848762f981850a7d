"""`python -m vision ask`: one model streamed live, several compared side by side."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from vision.cli.common import (
    add_request_options,
    chosen_reasoning,
    error_facts,
    image_facts,
    listed_models,
    make_client,
    print_json,
    read_settings,
    request_options,
)
from vision.cli.documents import Attached, add_document_options, attached_parts, part_choice
from vision.cli.exits import EXIT_ERROR, EXIT_OK
from vision.cli.locate import add_locate_options, execute_locate
from vision.cli.sources import read_source
from vision.errors import ImageError
from vision.urls.shape import is_http_url
from vision.values.request import DEFAULT_PROMPT, ChatRequest, ImageRef
from vision.values.result import ChatResult

if TYPE_CHECKING:
    from vision.api.client import VisionClient
    from vision.chat.compare import ModelOutcome


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `ask`."""
    add_request_options(parser)
    parser.add_argument(
        "-i",
        "--image",
        dest="images",
        action="append",
        default=[],
        metavar="IMAGE",
        help="an image file (or a PDF, TIFF, SVG, video), or an http(s) URL sent as is",
    )
    add_document_options(parser)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--hide-reasoning",
        action="store_true",
        help="fold a reasoning model's thinking to one line with its token count",
    )
    add_locate_options(parser)
    parser.add_argument("prompt", nargs="?", default=DEFAULT_PROMPT, metavar="PROMPT")


def _images_for(model: str, attached: Sequence[Attached], data: dict[str, bytes]) -> list[Any]:
    """Each image for one model: a file (or a page or frames of one) prepared for it, or a URL
    passed on as is."""
    from vision.images.intake import prepare_image

    images: list[Any] = []
    for image in attached:
        source = image.source
        if is_http_url(source):
            images.append(ImageRef(url=source, label=source))
            continue
        try:
            images.append(
                prepare_image(
                    data[source], filename=Path(source).name, model=model, parts=image.parts
                )
            )
        except ImageError as error:
            # Same class, with the file named: several images may be in play.
            raise type(error)(f"{image.label}: {error}") from None
    return images


# A reasoning model's thinking is printed apart from its answer, each line behind this bar.
REASONING_BAR = "│ "


def _warn_crowded(models: Sequence[str], attached: Sequence[Attached], err: TextIO) -> None:
    """Say which models get more pages or frames than they read reliably, and how to stitch."""
    from vision.images.profiles import image_count_warning

    if not any(len(image.parts) == 1 for image in attached):
        return
    for model in models:
        crowded = image_count_warning(model, len(attached))
        if crowded:
            err.write(f"{crowded} (--stitch sends each document's pages as one grid)\n")


def _usage_line(result: ChatResult) -> str:
    counts = result.usage.line
    timing = f"{result.latency_s:.2f} s"
    if result.ttft_s is not None:
        timing += f", first token {result.ttft_s:.2f} s"
    if result.reasoning and result.answer_ttft_s is not None:
        timing += f", first answer token {result.answer_ttft_s:.2f} s"
    state = result.finish_reason or "no finish reason"
    if not result.complete:
        state = f"INCOMPLETE: {result.incomplete_reason or 'cut short'}"
    return f"[{result.model} · {state} · {counts} · {timing}]"


def _outcome_json(outcome: ModelOutcome, images: list[Any]) -> dict[str, Any]:
    shown = [
        {"source": image.label, "url": True} if isinstance(image, ImageRef) else image_facts(image)
        for image in images
    ]
    entry: dict[str, Any] = {"model": outcome.model, "ok": outcome.ok, "images": shown}
    result = outcome.result
    if result is not None:
        entry.update(
            text=result.text,
            reasoning=result.reasoning,
            finish_reason=result.finish_reason,
            complete=result.complete,
            incomplete_reason=result.incomplete_reason,
            usage=asdict(result.usage),
            latency_s=round(result.latency_s, 4),
            ttft_s=None if result.ttft_s is None else round(result.ttft_s, 4),
            answer_ttft_s=None if result.answer_ttft_s is None else round(result.answer_ttft_s, 4),
        )
    if outcome.error is not None:
        entry["error"] = error_facts(outcome.error)
    return entry


def _barred(text: str) -> str:
    """A reasoning text with the bar before each of its lines."""
    return "".join(REASONING_BAR + line for line in text.strip().splitlines(keepends=True))


def _tokens(count: int | None) -> str:
    return "" if count is None else f" ({count:,} tokens)"


def _reasoning_block(result: ChatResult, *, hide: bool) -> str:
    """A finished answer's reasoning, labelled and barred (or folded to its label), or ''."""
    if not result.reasoning:
        return ""
    count = _tokens(result.usage.reasoning_tokens)
    if hide:
        return f"reasoning{count}: hidden (--hide-reasoning)\nanswer:\n"
    return f"reasoning{count}:\n{_barred(result.reasoning)}\nanswer:\n"


class _LivePrinter:
    """One model's stream on the terminal: its reasoning barred as it arrives, then its answer."""

    def __init__(self, out: TextIO, *, hide: bool) -> None:
        self.out = out
        self.hide = hide
        self.thinking = False
        self.at_line_start = True

    def reasoning(self, piece: str) -> None:
        if not self.thinking:
            self.thinking = True
            self.out.write(
                "reasoning: hidden (its tokens are in the usage line)\n"
                if self.hide
                else "reasoning:\n"
            )
        if self.hide:
            return
        for part in piece.splitlines(keepends=True):
            self.out.write((REASONING_BAR if self.at_line_start else "") + part)
            self.at_line_start = part.endswith("\n")
        self.out.flush()

    def answer(self, piece: str) -> None:
        if self.thinking:
            self.thinking = False
            self.out.write(("" if self.at_line_start else "\n") + "answer:\n")
        self.out.write(piece)
        self.out.flush()


def _collect(
    client: VisionClient,
    asks: list[ChatRequest],
    out: TextIO,
    *,
    live: bool,
    quiet: bool,
    hide_reasoning: bool = False,
) -> list[ModelOutcome]:
    """Run every ask concurrently; print one model live, or each answer as a block in order."""
    from vision.chat.compare import ModelOutcome, stream_models

    outcomes: list[ModelOutcome | None] = [None] * len(asks)
    texts: list[list[str]] = [[] for _ in asks]
    printer = _LivePrinter(out, hide=hide_reasoning) if live and not quiet else None
    printed = 0
    for event in stream_models(client, asks):
        if event.reasoning is not None and printer is not None:
            printer.reasoning(event.reasoning)
        if event.delta is not None:
            texts[event.index].append(event.delta)
            if printer is not None:
                printer.answer(event.delta)
        if event.done:
            outcomes[event.index] = ModelOutcome(
                model=event.model, result=event.result, error=event.error
            )
        while not quiet and printed < len(asks):
            ready = outcomes[printed]
            if ready is None:
                break
            _print_outcome(ready, "".join(texts[printed]), out, live=live, hide=hide_reasoning)
            printed += 1
    return [outcome for outcome in outcomes if outcome is not None]


def _print_outcome(
    outcome: ModelOutcome, streamed: str, out: TextIO, *, live: bool, hide: bool
) -> None:
    """Finish one model's output: its reasoning and answer (unless already streamed) and usage,
    or its error."""
    if live:
        # The text is already on screen; an error's sentence goes to stderr at the end.
        if outcome.result is not None:
            out.write("\n" + _usage_line(outcome.result) + "\n")
        elif streamed:
            out.write("\n")
    else:
        out.write(f"=== {outcome.model} ===\n")
        if outcome.result is not None:
            result = outcome.result
            out.write(
                _reasoning_block(result, hide=hide)
                + result.text
                + "\n"
                + _usage_line(result)
                + "\n\n"
            )
        else:
            out.write(f"error: {outcome.error}\n\n")
    out.flush()


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Ask one or more models about the images; stream the answers, or print them as JSON."""
    if args.locate is not None:
        return execute_locate(args, out, err)
    from vision.chat.readiness import asked_prompt, empty_prompt_note

    # The Playground's rule: an image alone is a fine question, nothing at all is not.
    prompt = asked_prompt(args.prompt, images=len(args.images))
    if prompt != args.prompt:
        err.write(empty_prompt_note() + "\n")
    settings = read_settings(err)
    files = [source for source in args.images if not is_http_url(source)]
    data = {source: read_source(source) for source in dict.fromkeys(files)}
    attached = attached_parts(args.images, data, part_choice(args), stitch=args.stitch, err=err)
    per_model = {model: _images_for(model, attached, data) for model in args.models}
    if not args.json:
        for image, prepared in zip(attached, per_model[args.models[0]], strict=True):
            for warning in getattr(prepared, "warnings", ()):
                err.write(f"{image.label}: {warning}\n")
        _warn_crowded(args.models, attached, err)
    with make_client(settings) as client:
        # Listing first lets the client refuse images for a text-only model and tells which
        # models reason; a server without /models still answers chats.
        options = request_options(args, chosen_reasoning(args, listed_models(client), err))
        asks = [
            ChatRequest.asking(model, prompt, tuple(_as_ref(i) for i in per_model[model]), options)
            for model in args.models
        ]
        outcomes = _collect(
            client,
            asks,
            out,
            live=len(asks) == 1,
            quiet=args.json,
            hide_reasoning=args.hide_reasoning,
        )
    if args.json:
        print_json(
            {
                "prompt": prompt,
                "results": [
                    _outcome_json(outcome, per_model[outcome.model]) for outcome in outcomes
                ],
            },
            out,
        )
    return _report_failures(outcomes, err)


def _report_failures(outcomes: list[ModelOutcome], err: TextIO) -> int:
    """Say on stderr which models failed or stopped short; exit 1 if any did."""
    code = EXIT_OK
    for outcome in outcomes:
        if outcome.error is not None:
            err.write(f"{outcome.model}: {outcome.error}\n")
            code = EXIT_ERROR
        elif outcome.result is not None and not outcome.result.complete:
            # A cut answer must not pass for a whole one in a script.
            reason = outcome.result.incomplete_reason or "it was cut short"
            err.write(f"{outcome.model}: the answer is incomplete ({reason}); ask again.\n")
            code = EXIT_ERROR
    return code


def _as_ref(image: Any) -> ImageRef:
    return image if isinstance(image, ImageRef) else image.as_ref()
