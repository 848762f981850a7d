"""What the client tests share: the key, a stream split into its parts, a closed port."""

from __future__ import annotations

import socket
from collections.abc import Iterable

from tests.conftest import ECHO_API_KEY
from vision.values.result import ChatResult

KEY = ECHO_API_KEY
SENTINEL = "io-SENTINEL-key-0123456789"


def split_stream(items: Iterable[object]) -> tuple[list[str], ChatResult]:
    """A finished stream's text deltas and its final result, checking that shape on the way."""
    *deltas, result = items
    assert all(isinstance(delta, str) for delta in deltas)
    assert isinstance(result, ChatResult)
    return deltas, result  # type: ignore[return-value]


def closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
