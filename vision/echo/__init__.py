"""A local OpenAI-compatible echo backend for tests, offline mode and anyone without a key."""

from vision.echo.catalog import CATALOG, ECHO_MODELS, TEXT_ONLY_MODEL, EchoModel
from vision.echo.faults import QUOTA_BODY, RATE_LIMIT_BODY, STREAM_ERROR_BODY, Fault
from vision.echo.recorder import RecordedRequest
from vision.echo.server import EchoServer

__all__ = [
    "CATALOG",
    "ECHO_MODELS",
    "QUOTA_BODY",
    "RATE_LIMIT_BODY",
    "STREAM_ERROR_BODY",
    "TEXT_ONLY_MODEL",
    "EchoModel",
    "EchoServer",
    "Fault",
    "RecordedRequest",
]
