"""The connection to the history's database: one SQLAlchemy engine per store, SQLite (a file in
WAL mode, one writer at a time) or PostgreSQL (psycopg 3, a pool of connections), and every
failure turned into one sentence that says what to do and never shows a password."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError, TimeoutError as PoolTimeout
from sqlalchemy.pool import ConnectionPoolEntry

from vision.errors import HistoryError
from vision.history.config import (
    DATABASE_URL_ENV,
    HISTORY_PATH_ENV,
    ConnectionSettings,
    safe_url,
    scrub,
)

# What the database (or the pool, or the disk) can do to a statement; SQLAlchemy's other errors
# are mistakes in this code and surface as they are.
_FAILURES = (DBAPIError, PoolTimeout, OSError)

# Set on a connection whose next transaction writes: SQLite then takes the write lock at BEGIN,
# so two writers queue on busy_timeout instead of failing when a reader tries to upgrade.
_WRITE = "vision_write"
# The history holds prompts, answers and original images: its folder and file are the owner's
# alone (SQLite gives the -wal and -shm files the database file's mode).
_OWNER_ONLY_FOLDER = 0o700
_OWNER_ONLY_FILE = 0o600


def _create_owner_only(path: Path) -> None:
    """Create the folder and the empty database file readable by their owner only; an existing
    folder or file keeps the mode it has."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=_OWNER_ONLY_FOLDER)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _OWNER_ONLY_FILE))


class Database:
    """An engine, its dialect's set-up and the rules for reading and writing through it."""

    def __init__(self, url: URL, settings: ConnectionSettings) -> None:
        self.url = url
        self.settings = settings
        self.is_sqlite = url.get_backend_name() == "sqlite"
        # SQLite has one writer per file: the threads of this process take turns here rather
        # than in the busy handler; other processes wait up to busy_timeout_ms.
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if self.is_sqlite else contextlib.nullcontext()
        )
        try:
            self.engine = self._sqlite_engine() if self.is_sqlite else self._postgres_engine()
        except (OSError, SQLAlchemyError, ImportError) as exc:
            raise self.unusable(exc) from None

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server."""
        return Path(self.url.database or "") if self.is_sqlite else None

    @property
    def location(self) -> str:
        """The file path, or the server's URL with its password hidden."""
        return str(self.path) if self.path is not None else safe_url(self.url)

    def _sqlite_engine(self) -> Engine:
        assert self.path is not None
        _create_owner_only(self.path)
        timeout_s = self.settings.busy_timeout_ms / 1000
        engine = create_engine(
            self.url, connect_args={"timeout": timeout_s, "check_same_thread": False}
        )
        busy_ms = self.settings.busy_timeout_ms

        @event.listens_for(engine, "connect")
        def configure(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            # The driver's own transaction handling is off: SQLAlchemy's "begin" below says BEGIN.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
                mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise sqlite3.OperationalError(f"journal mode is {mode}, not WAL")
                # In WAL mode NORMAL survives a killed process; a power cut may lose the last
                # commits.
                cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.execute("PRAGMA foreign_keys = ON")
            finally:
                cursor.close()

        @event.listens_for(engine, "begin")
        def begin(connection: Connection) -> None:
            writes = connection.get_execution_options().get(_WRITE, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine

    def _postgres_engine(self) -> Engine:
        pool = self.settings.pool_size
        return create_engine(
            self.url,
            pool_size=pool,
            max_overflow=pool,
            # A replica outlives server restarts and idle-connection reapers.
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={
                "connect_timeout": self.settings.connect_timeout_s,
                "application_name": "vision-playground",
            },
        )

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection in a transaction that sees one snapshot of the data."""
        try:
            with self.engine.connect() as connection, connection.begin():
                yield connection
        except _FAILURES as exc:
            raise self.unusable(exc) from None

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed at the end, rolled back on error."""
        with self._write_lock:
            try:
                with self.engine.connect() as connection:
                    connection.execution_options(**{_WRITE: True})
                    with connection.begin():
                        yield connection
            except _FAILURES as exc:
                raise self.unusable(exc) from None

    def unusable(self, exc: BaseException) -> HistoryError:
        """The sentence for a failure: what failed, the driver's reason, and what to do."""
        if isinstance(exc, HistoryError):
            return exc
        cause: BaseException = exc
        if isinstance(exc, DBAPIError) and exc.orig is not None:
            # The driver's own message: SQLAlchemy's text would add the statement and its
            # parameters, which hold prompts and image bytes.
            cause = exc.orig
        reason = scrub(f"{type(cause).__name__}: {cause}".strip(), self.url)
        reason = reason.splitlines()[0] if reason else type(cause).__name__
        if self.is_sqlite:
            if "locked" in reason or "busy" in reason:
                return HistoryError(
                    f"The history file {self.location} is locked by another program that has "
                    f"been writing to it for more than {self.settings.busy_timeout_ms / 1000:g} s "
                    f"({reason}); try again, or close the other program."
                )
            return HistoryError(
                f"The history file {self.location} cannot be used ({reason}); "
                f"move it aside or set {HISTORY_PATH_ENV} to another file."
            )
        return HistoryError(
            f"The history database {self.location} cannot be used ({reason}); check "
            f"{DATABASE_URL_ENV} and that the server is running and reachable."
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
