"""`python -m vision sweep`: the same items at several token budgets, longest sides or reasoning
efforts, scored against the tokens and cost of each (docs/evaluation.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from vision.cli.common import (
    add_frame_option,
    add_request_options,
    chosen_reasoning,
    frame_overrides,
    listed_models,
    make_client,
    positive_int,
    read_settings,
)
from vision.cli.exits import EXIT_OK
from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.scoring.metrics import METRICS, MetricName
from vision.values.batch import SweepPoint
from vision.values.request import DEFAULT_PROMPT


def _numbers(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not whole numbers separated by commas"
        ) from None
    return values


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `sweep`."""
    parser.add_argument("--images", required=True, metavar="SOURCE", help="as for eval")
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, help="the prompt (a row may override)")
    add_request_options(parser)
    parser.add_argument(
        "--budgets", type=_numbers, default=[], help="Qwen-style image token budgets: 256,512,1280"
    )
    parser.add_argument(
        "--sides", type=_numbers, default=[], help="longest sides in px (Llama's canvas): 560,1120"
    )
    parser.add_argument(
        "--efforts",
        type=_words,
        default=[],
        help="reasoning efforts for reasoning models: low,medium,high (none too)",
    )
    parser.add_argument("--metric", choices=METRICS, default="contains", help="how to score")
    add_frame_option(parser)
    parser.add_argument(
        "--concurrency", type=positive_int, default=DEFAULT_CONCURRENCY, help="requests at once"
    )
    parser.add_argument("--no-cache", action="store_true", help="ask again, even at temperature 0")
    parser.add_argument("--report", metavar="HTML", help="write the sweep's charts and table")
    parser.add_argument("--history", metavar="FILE", help="history file (default as the app)")


def _grounding(point: SweepPoint, metric: MetricName) -> str:
    """A grounding metric's own figures: Acc@0.5 and mean IoU, or precision and recall."""
    if metric == "iou":
        return f", Acc@0.5 {point.rate:.0%}, mean IoU {point.mean_score:.2f}"
    if point.precision is not None and point.recall is not None:
        return f", precision {point.precision:.0%}, recall {point.recall:.0%} at IoU 0.5"
    return ""


def _said(err: TextIO, label: str, batch_id: str) -> None:
    err.write(f"{label}: batch {batch_id}\n")
    err.flush()


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one batch per setting, then print (and chart) score against tokens and cost."""
    from vision.batch.recorded.spec import BatchSpec
    from vision.batch.running.sweep import Sweep, efforts, resolutions, run_sweep
    from vision.history.store import HistoryStore

    if args.efforts and (args.budgets or args.sides):
        raise RequestError("Sweep image sizes or reasoning efforts, not both at once.")
    if args.efforts and args.reasoning_effort:
        raise RequestError(
            "--efforts already sets each batch's reasoning effort: leave out --reasoning-effort."
        )
    settings = efforts(args.efforts) if args.efforts else resolutions(args.budgets, args.sides)
    report = Path(args.report) if args.report else None
    if report is not None and not report.parent.is_dir():
        raise RequestError(f"The folder of {report} does not exist; create it or pick another.")
    base = BatchSpec(
        source=str(Path(args.images).expanduser().resolve()),
        prompt=args.prompt,
        models=tuple(args.models),
        system=args.system or None,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        concurrency=args.concurrency,
        frames=frame_overrides(args.frames, args.models),
    )
    env = read_settings()
    with HistoryStore(args.history) as store, make_client(env) as client:
        # Prices are a nicety (the sweep runs without them); which models reason is not.
        listed = listed_models(client)
        sweep = Sweep(
            base=base.with_reasoning(chosen_reasoning(args, listed, err)),
            settings=tuple(settings),
            scoring=args.metric,
            listed=listed,
            use_cache=not args.no_cache,
        )
        points = run_sweep(
            client,
            store,
            sweep,
            on_setting=lambda setting, batch_id: _said(err, setting.label, batch_id),
        )
    for point in points:
        tokens = f"{point.mean_prompt_tokens:,.0f}" if point.mean_prompt_tokens else "-"
        completion = (
            f", {point.mean_completion_tokens:,.0f} completion tokens"
            if point.mean_completion_tokens is not None
            else ""
        )
        if point.mean_reasoning_tokens is not None:
            completion += f" ({point.mean_reasoning_tokens:,.0f} reasoning)"
        cost = f", cost {point.cost:.4f}" if point.cost is not None else ""
        score = (
            f"{point.passed}/{point.items} passed ({args.metric}), 95% interval "
            f"{point.low:.0%}–{point.high:.0%}{_grounding(point, args.metric)}"
            if point.items
            else "not scored (no expected answers)"
        )
        failed = f"; {point.failed} failed, the first: {point.first_error}" if point.failed else ""
        out.write(
            f"{point.setting.label} · {point.model}: {score}, "
            f"{tokens} prompt tokens per answer{completion}{cost}{failed}\n"
        )
    if report is not None:
        from vision.report.sweep import render_sweep

        report.write_text(
            render_sweep(points, scoring=args.metric, metric=args.metric), encoding="utf-8"
        )
        out.write(f"Wrote {report}.\n")
    return EXIT_OK
