"""The history: every run and vote saved to one SQLite file as soon as it completes."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from vision.errors import HistoryError
from vision.history.records import Run, RunImage, RunKind, Vote
from vision.history.schema import (
    INSERT_IMAGE,
    INSERT_RUN,
    INSERT_VOTE,
    MIGRATIONS,
    SCHEMA_VERSION,
    SELECT_IMAGES,
    SELECT_RUNS,
    SELECT_VOTES,
    image_from_row,
    run_from_row,
    run_values,
    timestamp,
    vote_from_row,
    vote_values,
)

HISTORY_PATH_ENV = "VISION_HISTORY_PATH"
# Another process (the CLI next to the app) may hold the write lock for a moment.
BUSY_TIMEOUT_MS = 5000


def default_history_path(environ: Mapping[str, str] | None = None) -> Path:
    """$VISION_HISTORY_PATH, else the XDG data directory's vision-playground/history.sqlite3."""
    env = os.environ if environ is None else environ
    if env.get(HISTORY_PATH_ENV):
        return Path(env[HISTORY_PATH_ENV]).expanduser()
    data_home = env.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(data_home) / "vision-playground" / "history.sqlite3"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HistoryStore:
    """A thread-safe store of runs, images and votes in one SQLite file (WAL mode)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_history_path()
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection shared by Streamlit's session threads, serialised by the lock.
            self._db = sqlite3.connect(
                self.path,
                check_same_thread=False,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        except (OSError, sqlite3.Error) as exc:
            raise self._unusable(exc) from None
        try:
            self._configure()
            self._migrate()
        except (sqlite3.Error, HistoryError) as exc:
            self._db.close()
            raise (exc if isinstance(exc, HistoryError) else self._unusable(exc)) from None

    def _unusable(self, exc: Exception) -> HistoryError:
        return HistoryError(
            f"The history file {self.path} cannot be used ({type(exc).__name__}: {exc}); "
            f"move it aside or set {HISTORY_PATH_ENV} to another file."
        )

    def _configure(self) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"journal mode is {mode}, not WAL")
        # In WAL mode NORMAL survives a killed process; only a power cut can lose the last commits.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")

    def _migrate(self) -> None:
        with self._transaction() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"schema version {version} is newer than this app's {SCHEMA_VERSION}"
                )
            for script in MIGRATIONS[version:]:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._unusable(exc) from None

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cursor = self._db.execute(sql, params)
                cursor.row_factory = sqlite3.Row
                return cast(list[sqlite3.Row], cursor.fetchall())
            except sqlite3.Error as exc:
                raise self._unusable(exc) from None

    def close(self) -> None:
        """Close the file; the store cannot be used afterwards."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HistoryStore(path={str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        """The PRAGMA user_version of the open file."""
        return int(self._query("PRAGMA user_version")[0][0])

    # Runs

    def save_run(self, run: Run, *, originals: Mapping[str, bytes] | None = None) -> Run:
        """Save a run, its images and the original bytes they came from (by hash, so that the
        run can be reopened and rerun) in one transaction; return it with its new id."""
        values = run_values(run)
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO image_blobs (sha256, mime, data) VALUES (?, NULL, ?)",
                list((originals or {}).items()),
            )
            run_id = int(db.execute(INSERT_RUN, values).lastrowid or 0)
            db.executemany(
                INSERT_IMAGE,
                [
                    (
                        run_id,
                        image.position,
                        image.sha256,
                        image.source_sha256,
                        image.mime,
                        image.width,
                        image.height,
                        image.url,
                        json.dumps(list(image.steps)),
                        image.thumbnail,
                    )
                    for image in run.images
                ],
            )
        return replace(run, id=run_id)

    def get_run(self, run_id: int) -> Run | None:
        """The run with this id, or None when it does not exist (or was deleted)."""
        rows = self._query(SELECT_RUNS + " WHERE id = ?", (run_id,))
        runs = self._with_images(rows)
        return runs[0] if runs else None

    def delete_run(self, run_id: int) -> bool:
        """Delete a run and its images; False when there was no such run."""
        with self._transaction() as db:
            return db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount > 0

    def search_runs(
        self,
        *,
        text: str | None = None,
        model: str | None = None,
        tag: str | None = None,
        kind: RunKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[Run]:
        """Runs newest first, filtered by text (prompt or answer), model, tag, kind and date."""
        where: list[str] = []
        params: list[Any] = []
        if text:
            # LIKE, not FTS5: a local history stays small enough to scan, and LIKE finds any
            # substring (FTS5 matches whole tokens only) with no triggers to keep in sync.
            where.append("(prompt LIKE ? ESCAPE '\\' OR answer LIKE ? ESCAPE '\\')")
            params += [_like_pattern(text)] * 2
        for column, value in (("model", model), ("tag", tag), ("kind", kind)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("created_at >= ?")
            params.append(timestamp(since))
        if until is not None:
            where.append("created_at < ?")
            params.append(timestamp(until))
        rows = self._query(
            SELECT_RUNS + _where(where) + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return self._with_images(rows)

    def batch_runs(self, batch_id: str) -> list[Run]:
        """Every run of a batch, in the order they completed."""
        rows = self._query(
            SELECT_RUNS + " WHERE batch_id = ? ORDER BY id",
            (batch_id,),
        )
        return self._with_images(rows)

    def conversation_runs(self, conversation_id: str, *, model: str | None = None) -> list[Run]:
        """The turns of a conversation in order, optionally for one model only."""
        sql = SELECT_RUNS + " WHERE conversation_id = ?"
        params: list[Any] = [conversation_id]
        if model:
            sql += " AND model = ?"
            params.append(model)
        return self._with_images(self._query(sql + " ORDER BY id", params))

    def batch_ids(self) -> list[str]:
        """Batch ids, most recent first."""
        rows = self._query(
            "SELECT batch_id FROM runs WHERE batch_id IS NOT NULL "
            "GROUP BY batch_id ORDER BY MAX(created_at) DESC"
        )
        return [str(row[0]) for row in rows]

    def models(self) -> list[str]:
        """Every model that appears in the history, for a filter list."""
        return [str(row[0]) for row in self._query("SELECT DISTINCT model FROM runs ORDER BY 1")]

    def tags(self) -> list[str]:
        """Every tag that appears in the history, for a filter list."""
        rows = self._query("SELECT DISTINCT tag FROM runs WHERE tag IS NOT NULL ORDER BY 1")
        return [str(row[0]) for row in rows]

    def _with_images(self, rows: list[sqlite3.Row]) -> list[Run]:
        if not rows:
            return []
        ids = [int(row["id"]) for row in rows]
        images: dict[int, list[RunImage]] = {run_id: [] for run_id in ids}
        marks = ", ".join("?" * len(ids))
        for image in self._query(
            SELECT_IMAGES.format(marks=marks),
            ids,
        ):
            images[int(image["run_id"])].append(image_from_row(image))
        return [run_from_row(row, tuple(images[int(row["id"])])) for row in rows]

    # Votes

    def save_vote(self, vote: Vote) -> Vote:
        """Save a vote in its own transaction; return it with its new id."""
        values = vote_values(vote)
        with self._transaction() as db:
            cursor = db.execute(INSERT_VOTE, values)
        return replace(vote, id=int(cursor.lastrowid or 0))

    def votes(self, *, batch_id: str | None = None, tag: str | None = None) -> list[Vote]:
        """Votes oldest first (the leaderboard's input), optionally for one batch or tag."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("batch_id", batch_id), ("tag", tag)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self._query(SELECT_VOTES + _where(where) + " ORDER BY id", params)
        return [vote_from_row(row) for row in rows]

    def delete_vote(self, vote_id: int) -> bool:
        """Delete a vote; False when there was no such vote."""
        with self._transaction() as db:
            return db.execute("DELETE FROM votes WHERE id = ?", (vote_id,)).rowcount > 0

    # Original image bytes, kept once per hash so a run can be reopened and sent again.

    def save_image_bytes(self, sha256: str, data: bytes, *, mime: str | None = None) -> None:
        """Keep an image's bytes under its hash (a no-op when already kept)."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO image_blobs (sha256, mime, data) VALUES (?, ?, ?)",
                (sha256, mime, data),
            )

    def image_bytes(self, sha256: str) -> bytes | None:
        """The kept bytes of an image, or None when they were not kept."""
        rows = self._query("SELECT data FROM image_blobs WHERE sha256 = ?", (sha256,))
        return bytes(rows[0][0]) if rows else None


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""
