"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import PostgresServer, PostgresUnavailable, start_postgres
from tests.support.stores import ENGINES, HistoryDatabase
from vision.echo import EchoServer

# Shaped like a key, so the page takes it when a test pastes it (vision/session_key.py).
ECHO_API_KEY = "test-key-0123456789abcdef"


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    """A started echo backend on 127.0.0.1 (free port, no delays) accepting ECHO_API_KEY, which
    records every request's body for the test to read."""
    with EchoServer(api_key=ECHO_API_KEY, record_bodies=True) as server:
        yield server


# The history store's tests run on both engines (tests/support/stores.py, docs/store.md).

_STORE_VARIABLES = (
    "VISION_DATABASE_URL",
    "VISION_MAX_STORED_IMAGE_BYTES",
    "VISION_MAX_WORKSPACE_IMAGE_BYTES",
    "VISION_DATABASE_POOL_SIZE",
    "VISION_DATABASE_CONNECT_TIMEOUT",
)


@pytest.fixture(autouse=True)
def _no_store_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own database or limits never reach a test; tests set what they need."""
    for name in _STORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for this test session, or a skip (a failure when CI=true)."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exc} CI runs the store tests on PostgreSQL too, so this fails.")
        pytest.skip(f"{exc} Without it the PostgreSQL store tests are skipped.")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=ENGINES)
def history_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HistoryDatabase]:
    """An empty history database: a SQLite file in tmp_path, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield HistoryDatabase("sqlite", f"sqlite:///{tmp_path / 'history.sqlite3'}")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield HistoryDatabase("postgresql", server.url(name))
    finally:
        server.drop_database(name)
