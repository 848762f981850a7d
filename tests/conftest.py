"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import (
    PostgresServer,
    PostgresUnavailable,
    start_postgres,
    without_postgres,
)
from tests.support.s3 import S3Server, start_s3, use_s3
from tests.support.stores import BLOB_BACKENDS, ENGINES, HistoryDatabase
from vision.echo import EchoServer
from vision.history.blobs.folder import FolderBlobStore
from vision.history.blobs.s3 import S3BlobStore
from vision.history.blobs.store import BlobStore
from vision.images.learned import use_learned

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
    "VISION_BLOB_URL",
    "VISION_MAX_STORED_IMAGE_BYTES",
    "VISION_MAX_WORKSPACE_IMAGE_BYTES",
    "VISION_DATABASE_POOL_SIZE",
    "VISION_DATABASE_CONNECT_TIMEOUT",
)


@pytest.fixture(autouse=True)
def _no_store_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A developer's own database or limits never reach a test; tests set what they need. What
    answers measure of image costs goes to the test's own file, never the developer's, and the
    calibrator a page installed for its process is gone after the test (one test's measurements
    would otherwise change the next one's estimates)."""
    for name in _STORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VISION_CALIBRATION_PATH", str(tmp_path / "calibration.json"))
    yield
    use_learned(None)
    # Nor a developer's AWS settings; and boto3 never asks a cloud's metadata service for some.
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for this test session, or a skip (a failure when CI=true)."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        without_postgres(exc, "the PostgreSQL store tests are skipped")
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


# Kept originals: a folder, or an S3-compatible server on loopback (tests/support/s3.py).


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1 for this test session."""
    server = start_s3()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket on the session's S3 server, with the AWS settings pointing at it."""
    use_s3(monkeypatch, s3_server)
    return s3_server.new_bucket()


@pytest.fixture(params=BLOB_BACKENDS)
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    """An empty blob store: a folder in tmp_path, then a bucket on the loopback S3 server."""
    store: BlobStore
    if request.param == "folder":
        store = FolderBlobStore(tmp_path / "blobs")
    else:
        store = S3BlobStore(request.getfixturevalue("s3_bucket"), "history/blobs")
    try:
        yield store
    finally:
        store.close()
