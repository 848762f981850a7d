"""Command line: `python -m vision check|ask|models|echo`.

Exit codes: 0 done; 1 a VisionError (its sentence on stderr, no traceback); 2 a usage error.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from vision.api.request import DEFAULT_PROMPT
from vision.api.results import ModelInfo
from vision.api.transport import LOOPBACK_HOSTS
from vision.cli.ask import run_ask
from vision.cli.common import (
    DEFAULT_ECHO_PORT,
    EXIT_ERROR,
    EXIT_OK,
    add_request_options,
    error_facts,
    image_facts,
    make_client,
    print_json,
    read_source,
    settings_from_env,
)
from vision.cli.eval import add_eval_command, run_eval
from vision.echo import EchoServer
from vision.errors import RequestError, VisionError
from vision.images.intake import prepare_image
from vision.settings import API_KEY_VARIABLE, BASE_URL_VARIABLE
from vision.sizes import human_size

EXIT_USAGE, EXIT_INTERRUPTED = 2, 130


# check


def _check_one(source: str, model: str | None) -> dict[str, Any]:
    report: dict[str, Any] = {"source": source, "model": model}
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
        out.write(f"  about {report['estimated_tokens']} prompt tokens on {target}\n")
    for step in report["steps"]:
        out.write(f"  step: {step}\n")
    for warning in report["warnings"]:
        out.write(f"  warning: {warning}\n")


def run_check(args: argparse.Namespace, out: TextIO) -> int:
    """Report, per image, what would be sent or why it cannot be."""
    reports = [_check_one(source, args.model) for source in args.files]
    if args.json:
        print_json(reports, out)
    else:
        for report in reports:
            _print_check(report, out)
    return EXIT_OK if all(report["ok"] for report in reports) else EXIT_ERROR


# models


def _model_facts(info: ModelInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "supports_images": info.supports_images,
        "context_window": info.context_window,
        "max_tokens": info.max_tokens,
        "input_token_price": info.input_token_price,
        "output_token_price": info.output_token_price,
    }


def _per_million(price: float | None) -> str:
    return "?" if price is None else f"${price * 1_000_000:.2f}"


def run_models(args: argparse.Namespace, out: TextIO) -> int:
    """List the server's models and whether each reads images."""
    with make_client(settings_from_env()) as client:
        models = client.list_models()
    if args.json:
        print_json([_model_facts(info) for info in models], out)
        return EXIT_OK
    for info in models:
        sees = {True: "images", False: "text only", None: "unknown"}[info.supports_images]
        window = f"{info.context_window:,} ctx" if info.context_window else "ctx ?"
        prices = f"in {_per_million(info.input_token_price)}"
        prices += f" / out {_per_million(info.output_token_price)} per 1M tokens"
        out.write(f"{info.id}  [{sees}]  {window}  {prices}\n")
    return EXIT_OK


# echo


def run_echo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Serve the echo backend until Ctrl-C."""
    echo = EchoServer(
        api_key=args.api_key or EchoServer.DEFAULT_API_KEY,
        host=args.host,
        port=args.port,
        ttft_s=args.ttft,
        token_delay_s=args.token_delay,
        models_shape=args.models_shape,
    )
    if args.host not in LOOPBACK_HOSTS:
        err.write(f"warning: the echo backend listens on {args.host}, beyond this machine.\n")
    try:
        echo.start()
    except OSError as exc:
        raise RequestError(
            f"The echo backend cannot listen on {args.host}:{args.port} ({exc.strerror}); "
            "pick another --port and try again."
        ) from None
    key_hint = "<the key you passed with --api-key>" if args.api_key else echo.api_key
    out.write(
        f"Echo backend listening on {echo.base_url} (no model runs; answers describe the "
        "request).\nPoint the app or the CLI at it:\n"
        f"  export {BASE_URL_VARIABLE}={echo.base_url}\n"
        f"  export {API_KEY_VARIABLE}={key_hint}\n"
        "Press Ctrl-C to stop.\n"
    )
    out.flush()
    signal.signal(signal.SIGTERM, lambda *_: echo.stopping.set())
    echo.serve_until_interrupted()
    out.write("Echo backend stopped.\n")
    return EXIT_OK


# Parser and entry point


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m vision`."""
    parser = argparse.ArgumentParser(
        prog="python -m vision",
        description="Send images and a prompt to IO Intelligence vision models.",
        epilog=f"Configuration: {API_KEY_VARIABLE} and {BASE_URL_VARIABLE} (environment).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="show what would be sent for each image")
    check.add_argument("files", nargs="+", metavar="FILE", help="an image file or http(s) URL")
    check.add_argument("--model", help="prepare for this model (its size and token estimate)")
    check.add_argument("--json", action="store_true", help="print the reports as JSON")

    ask = commands.add_parser("ask", help="ask one or more models about images")
    add_request_options(ask)
    ask.add_argument(
        "-i",
        "--image",
        dest="images",
        action="append",
        default=[],
        metavar="IMAGE",
        help="an image file, or an http(s) URL sent as is",
    )
    ask.add_argument("--json", action="store_true", help="print the results as JSON")
    ask.add_argument("prompt", nargs="?", default=DEFAULT_PROMPT, metavar="PROMPT")

    models = commands.add_parser("models", help="list the server's models")
    models.add_argument("--json", action="store_true", help="print the models as JSON")

    echo = commands.add_parser("echo", help="run the local echo backend (no model, no key)")
    echo.add_argument("--port", type=int, default=DEFAULT_ECHO_PORT, help="0 picks a free port")
    echo.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    echo.add_argument("--api-key", help="the key clients must send (default: echo-key)")
    echo.add_argument("--ttft", type=_seconds, default=0.0, help="seconds before the first token")
    echo.add_argument("--token-delay", type=_seconds, default=0.0, help="seconds between tokens")
    echo.add_argument(
        "--models-shape",
        choices=("openai", "io"),
        default="openai",
        help="the /models response shape",
    )
    add_eval_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = build_parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "check":
            return run_check(args, out)
        if args.command == "models":
            return run_models(args, out)
        if args.command == "ask":
            return run_ask(args, out, err)
        if args.command == "eval":
            return run_eval(args, out, err)
        return run_echo(args, out, err)
    except VisionError as error:
        out.flush()
        err.write(f"{error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.write("Interrupted.\n")
        return EXIT_INTERRUPTED
