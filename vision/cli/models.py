"""`python -m vision models`: the server's models, whether each reads images and takes a
reasoning effort, and prices."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from vision.cli.columns import aligned
from vision.cli.common import make_client, print_json, read_settings
from vision.cli.exits import EXIT_OK
from vision.values.result import ModelInfo

HEADER = ("model", "reads", "reasoning", "context", "input $/1M", "output $/1M")
NUMBERS = (3, 4, 5)  # the columns aligned to the right


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `models`."""
    parser.add_argument("--json", action="store_true", help="print the models as JSON")


def _model_facts(info: ModelInfo) -> dict[str, Any]:
    from vision.api.reasoning import reasons

    return {
        "id": info.id,
        "supports_images": info.supports_images,
        "reasoning": reasons(info.id, info),  # by /models' word, else the family's
        "context_window": info.context_window,
        "max_tokens": info.max_tokens,
        "input_token_price": info.input_token_price,
        "output_token_price": info.output_token_price,
    }


def _per_million(price: float | None) -> str:
    return "?" if price is None else f"${price * 1_000_000:.2f}"


def _row(info: ModelInfo) -> list[str]:
    from vision.api.reasoning import reasons

    reads = {True: "images", False: "text only", None: "unknown"}[info.supports_images]
    return [
        info.id,
        reads,
        "yes" if reasons(info.id, info) else "no",
        f"{info.context_window:,}" if info.context_window else "?",
        _per_million(info.input_token_price),
        _per_million(info.output_token_price),
    ]


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the server's models in aligned columns: what each reads, whether it takes a
    reasoning effort, its context window and prices."""
    with make_client(read_settings(err)) as client:
        models = client.list_models()
    if args.json:
        print_json([_model_facts(info) for info in models], out)
        return EXIT_OK
    rows = [_row(info) for info in models]
    for line in aligned(HEADER, rows, right=NUMBERS):
        out.write(line + "\n")
    return EXIT_OK
