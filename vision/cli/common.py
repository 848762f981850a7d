"""What the CLI reads (image sources, settings) and how it writes values (text and JSON)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from vision.api.request import DEFAULT_SYSTEM_PROMPT, RequestOptions
from vision.errors import RequestError, VisionError
from vision.images.prepared import PreparedImage
from vision.settings import API_KEY_VARIABLE, BASE_URL_VARIABLE, Settings, install_redaction

if TYPE_CHECKING:
    from vision.api.client import VisionClient

DEFAULT_ECHO_PORT = 8800
EXIT_OK, EXIT_ERROR = 0, 1


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
        "steps": list(image.steps),
    }


def error_facts(error: VisionError) -> dict[str, Any]:
    """An error as JSON: its class, its sentence and its HTTP status if any."""
    return {
        "type": type(error).__name__,
        "message": str(error),
        "status": getattr(error, "status", None),
    }


def settings_from_env() -> Settings:
    """The environment's settings; a RequestError saying how to set a key when there is none."""
    settings = Settings.from_env()
    if not settings.has_key:
        raise RequestError(
            f"No API key is set: export {API_KEY_VARIABLE}=<your io.net key> (or, for the local "
            f"echo backend, {API_KEY_VARIABLE}=echo-key and "
            f"{BASE_URL_VARIABLE}=http://127.0.0.1:{DEFAULT_ECHO_PORT}/v1) and run again."
        )
    install_redaction(settings.api_key)
    return settings


def make_client(settings: Settings) -> VisionClient:
    """A client for the configured server."""
    from vision.api.client import VisionClient

    return VisionClient(settings.base_url, settings.api_key)


def positive_int(text: str) -> int:
    """An argparse type for counts that must be 1 or more."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def request_options(args: argparse.Namespace) -> RequestOptions:
    """The request options given by the flags of add_request_options."""
    return RequestOptions(
        system=args.system or None, temperature=args.temperature, max_tokens=args.max_tokens
    )


def add_request_options(parser: argparse.ArgumentParser) -> None:
    """The options `ask` and `eval` share: the models, system prompt, max tokens, temperature."""
    parser.add_argument(
        "-m",
        "--model",
        dest="models",
        action="append",
        required=True,
        metavar="MODEL",
        help="a model id; repeat to compare models",
    )
    parser.add_argument("--system", default=DEFAULT_SYSTEM_PROMPT, help="the system prompt")
    parser.add_argument("--max-tokens", type=positive_int, help="cap on each answer's tokens")
    parser.add_argument("--temperature", type=float, help="sampling temperature (0 to 2)")
