"""Fixtures of the integration tests: an echo-backed client, and the retry waits it asks for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client_calls import KEY
from vision import retry
from vision.client import VisionClient
from vision.echo import EchoServer


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry waits the client asked for, without waiting them."""
    recorded: list[float] = []
    monkeypatch.setattr(retry, "sleep", recorded.append)
    return recorded


@pytest.fixture
def client(echo: EchoServer) -> Iterator[VisionClient]:
    """A client on the echo backend with 2 s timeouts and a 20 s deadline (files may override)."""
    with VisionClient(echo.base_url, KEY, timeout=(2.0, 2.0), deadline_s=20.0) as made:
        yield made
