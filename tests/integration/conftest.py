"""Fixtures of the integration tests: an echo-backed client and command line, retry waits, a
hostile image host."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ECHO_API_KEY
from tests.support.client_calls import KEY
from tests.support.hostile_server import REAL_CONNECT, ImageServer, serve
from vision.api import retry
from vision.api.client import VisionClient
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


@pytest.fixture
def env(echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The command line pointed at the echo, its history a file in the returned folder."""
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("VISION_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    return tmp_path


@pytest.fixture(scope="module")
def image_server() -> Iterator[ImageServer]:
    """The hostile image host on 127.0.0.1, one per test module."""
    yield from serve("127.0.0.1", socket.AF_INET)


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch, image_server: ImageServer) -> list[str]:
    """Every outgoing connection must go to loopback; anything else fails the test unsent.

    The fetch test modules turn it on for every test with pytest.mark.usefixtures.
    """
    image_server.seen.clear()
    attempts: list[str] = []

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        attempts.append(host)
        if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            pytest.fail(f"a connection to {address} was attempted")
        return REAL_CONNECT(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return attempts


@pytest.fixture
def team_db(postgres_server: Any) -> Iterator[str]:
    """The address of a database of its own on the test PostgreSQL server, dropped afterwards."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
