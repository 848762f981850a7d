"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vision.echo import EchoServer

ECHO_API_KEY = "test-key"


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    """A started echo backend on 127.0.0.1 (free port, no delays) accepting the key "test-key"."""
    with EchoServer(api_key=ECHO_API_KEY) as server:
        yield server
