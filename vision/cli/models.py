"""`python -m vision models`: the server's models, whether each reads images and takes a
reasoning effort, and prices."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from vision.cli.common import make_client, print_json, read_settings
from vision.cli.exits import EXIT_OK
from vision.values.result import ModelInfo


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


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the server's models and whether each reads images."""
    with make_client(read_settings(err)) as client:
        models = client.list_models()
    if args.json:
        print_json([_model_facts(info) for info in models], out)
        return EXIT_OK
    for info in models:
        from vision.api.reasoning import reasons

        sees = {True: "images", False: "text only", None: "unknown"}[info.supports_images]
        if reasons(info.id, info):
            sees += ", reasoning"
        window = f"{info.context_window:,} ctx" if info.context_window else "ctx ?"
        prices = f"in {_per_million(info.input_token_price)}"
        prices += f" / out {_per_million(info.output_token_price)} per 1M tokens"
        out.write(f"{info.id}  [{sees}]  {window}  {prices}\n")
    return EXIT_OK
