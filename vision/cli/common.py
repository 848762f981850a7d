"""What the CLI reads (image sources, settings) and how it writes values (text and JSON)."""

from __future__ import annotations

import argparse
import json
import os
import re
from typing import TYPE_CHECKING, Any, TextIO

from vision.errors import RequestError, VisionError
from vision.redaction import install_redaction
from vision.settings import (
    KEY_SOURCE_NAMES,
    SECRETS_FILE,
    Settings,
    configured_settings,
    read_secrets,
)
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE
from vision.values.image import PreparedImage, parts_label
from vision.values.request import (
    DEFAULT_SYSTEM_PROMPT,
    EFFORTS,
    MAX_TEMPERATURE,
    MIN_TEMPERATURE,
    Reasoning,
    RequestOptions,
    options_problem,
)

if TYPE_CHECKING:
    from vision.api.client import VisionClient
    from vision.values.result import ModelInfo

DEFAULT_ECHO_PORT = 8800


def print_json(value: Any, out: TextIO) -> None:
    """Write a value as indented JSON."""
    out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def image_facts(image: PreparedImage) -> dict[str, Any]:
    """What `check` and `ask --json` report about a prepared image."""
    return {
        "mime": image.mime,
        "width": image.width,
        "height": image.height,
        "size_bytes": image.size_bytes,
        "original_format": image.original_format,
        "original_width": image.original_width,
        "original_height": image.original_height,
        "original_size_bytes": image.original_size_bytes,
        "estimated_tokens": image.estimated_tokens,
        "sha256": image.sha256,
        "warnings": list(image.warnings),
        "notes": list(image.notes),
        "steps": list(image.steps),
        "shows": parts_label(image.parts) or None,
        "parts": [part.to_json() for part in image.parts],
    }


def error_facts(error: VisionError) -> dict[str, Any]:
    """An error as JSON: its class, its sentence and its HTTP status if any."""
    return {
        "type": type(error).__name__,
        "message": str(error),
        "status": getattr(error, "status", None),
    }


def read_settings(said: TextIO | None = None) -> Settings:
    """The key and base URL as the app finds them (the environment, then .streamlit/secrets.toml
    in this folder); a RequestError saying how to set a key when there is none. With `said`, one
    line there says where the key came from (never the key)."""
    settings, source = configured_settings(os.environ, read_secrets())
    if source is None:
        raise RequestError(
            f"No API key is set: export {API_KEY_VARIABLE}=<your io.net key> or put it in "
            f"{SECRETS_FILE} (or, for the local echo backend, {API_KEY_VARIABLE}=echo-key and "
            f"{BASE_URL_VARIABLE}=http://127.0.0.1:{DEFAULT_ECHO_PORT}/v1) and run again."
        )
    install_redaction(settings.api_key)
    if said is not None:
        said.write(f"Using the API key from {KEY_SOURCE_NAMES[source]}.\n")
    return settings


def make_client(settings: Settings) -> VisionClient:
    """A client for the configured server."""
    from vision.api.client import VisionClient

    return VisionClient(settings.base_url, settings.api_key)


def _number(text: str, kind: type[int] | type[float], what: str) -> float:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def positive_int(text: str) -> int:
    """An argparse type for counts that must be 1 or more."""
    value = int(_number(text, int, "a whole number"))
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def port_number(text: str) -> int:
    """An argparse type for a TCP port (0 picks a free one)."""
    value = int(_number(text, int, "a port number"))
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: use 1 to 65535, or 0 for any")
    return value


def seconds(text: str) -> float:
    """An argparse type for a duration in seconds, zero or more."""
    value = _number(text, float, "a number of seconds")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value:g} seconds is negative")
    return value


def tokens_per_second(text: str) -> float:
    """An argparse type for the echo's streaming rate, within what it can pace."""
    from vision.echo.pace import pace_problem

    value = _number(text, float, "a number of tokens a second")
    problem = pace_problem(0.0, value)
    if problem:
        raise argparse.ArgumentTypeError(problem.rstrip("."))
    return value


def temperature(text: str) -> float:
    """An argparse type for a sampling temperature in the servers' range."""
    value = _number(text, float, "a number")
    problem = options_problem(value, None)
    if problem:
        raise argparse.ArgumentTypeError(problem.rstrip("."))
    return value


def request_options(args: argparse.Namespace, reasoning: Reasoning | None = None) -> RequestOptions:
    """The request options given by the flags of add_request_options, with the reasoning effort
    as chosen_reasoning decided it."""
    return RequestOptions(
        system=args.system or None,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        reasoning=reasoning,
    )


def listed_models(client: VisionClient) -> dict[str, ModelInfo]:
    """The server's /models entries by id; none when the list cannot be read (chats still work,
    and the client's checks then rest on what it knows of each model's family)."""
    try:
        return {info.id: info for info in client.list_models()}
    except VisionError:
        return {}


def chosen_reasoning(
    args: argparse.Namespace, listed: dict[str, ModelInfo], err: TextIO
) -> Reasoning | None:
    """--reasoning-effort for the chosen models: sent to those that reason; the others are named
    on stderr in a sentence."""
    from vision.api.reasoning import choose_reasoning

    reasoning = choose_reasoning(args.reasoning_effort, args.models or (), listed)
    if reasoning is not None and reasoning.notice:
        err.write(f"{reasoning.notice}\n")
    return reasoning


def add_request_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """The options `ask` and `eval` share: the models, system prompt, max tokens, temperature."""
    parser.add_argument(
        "-m",
        "--model",
        dest="models",
        action="append",
        required=required,
        metavar="MODEL",
        help="a model id; repeat to compare models",
    )
    parser.add_argument("--system", default=DEFAULT_SYSTEM_PROMPT, help="the system prompt")
    parser.add_argument("--max-tokens", type=positive_int, help="cap on each answer's tokens")
    parser.add_argument(
        "--temperature",
        type=temperature,
        help=f"sampling temperature ({MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g})",
    )
    parser.add_argument(
        "--reasoning-effort",
        choices=EFFORTS,
        help="how long a reasoning model thinks before answering; sent only to models that "
        "reason (by /models or their family)",
    )


def add_frame_option(parser: argparse.ArgumentParser) -> None:
    """`--frame [MODEL=]FRAME`, which `eval` and `sweep` share for grounding items."""
    parser.add_argument(
        "--frame",
        dest="frames",
        action="append",
        default=[],
        metavar="[MODEL=]FRAME",
        help="grounding items: read this model's coordinates (every model's, without MODEL=) "
        "in FRAME (rel1000, rel999, rel1, input-pixels, sent-pixels, input-rel1000) instead "
        "of its family's; repeat for several models",
    )


def frame_overrides(given: list[str], models: list[str]) -> tuple[tuple[str, str], ...]:
    """(model, frame) pairs from `--frame` values; a RequestError names a frame or a model
    that does not exist."""
    from vision.grounding.frames import named_frame

    pairs: dict[str, str] = {}
    for value in given:
        model, _, frame = value.rpartition("=")
        name = named_frame(frame).name
        if model and model not in models:
            raise RequestError(
                f"--frame names {model}, which is not asked in this batch; add -m {model} or "
                "fix the name."
            )
        for chosen in [model] if model else models:
            pairs[chosen] = name
    return tuple(pairs.items())


def file_slug(text: str) -> str:
    """Text made safe as part of a file name (letters, digits, dot, dash, underscore)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "image"
