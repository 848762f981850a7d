"""An older history's originals moved out of the database's rows into the blob store, when the
store opens (schema 10 only marks where bytes are; vision/history/migrations/versions/0010).

Batch by batch: each original's bytes are written to the blob store and their size read back
from it, then one short write transaction empties those rows. A move cut short anywhere (a
crash, a full disk, an unreachable bucket) leaves every original readable, from the blob store
or still from its row, and the next open goes on from there; writing a blob twice keeps one
copy. On SQLite the file is vacuumed afterwards, so it shrinks by what moved out.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update

from vision.errors import BlobStoreError
from vision.history.blobs.store import BlobStore
from vision.history.database import Database
from vision.history.tables import image_blobs
from vision.sizes import human_size

_LOG = logging.getLogger(__name__)
# A batch ends at this many originals or bytes, whichever comes first: one write transaction
# each, and at most one original's bytes in memory at a time.
ROWS_PER_BATCH = 100
BYTES_PER_BATCH = 256 * 1024 * 1024
# Progress is logged (at WARNING, which a command's console shows) at most this often.
_LOG_EVERY_S = 2.0
_IN_DATABASE = image_blobs.c.stored_in == "database"


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveProgress:
    """How far a move has gone: originals and bytes moved, of those it found to move."""

    moved: int
    total: int
    moved_bytes: int
    total_bytes: int

    @property
    def line(self) -> str:
        """The progress as a sentence."""
        return (
            f"Moved {self.moved:,} of {self.total:,} kept originals "
            f"({human_size(self.moved_bytes)} of {human_size(self.total_bytes)}) out of the "
            "history database"
        )


def left_in_database(database: Database) -> tuple[int, int]:
    """How many originals (and bytes) are still kept in the database's rows."""
    query = select(func.count(), func.coalesce(func.sum(image_blobs.c.size), 0)).where(_IN_DATABASE)
    with database.reading() as db:
        count, size = db.execute(query).one()
    return int(count), int(size)


def _next_batch(database: Database, rows: int) -> list[tuple[str, str, int]]:
    query = (
        select(image_blobs.c.workspace, image_blobs.c.sha256, image_blobs.c.size)
        .where(_IN_DATABASE)
        .order_by(image_blobs.c.workspace, image_blobs.c.sha256)
        .limit(rows)
    )
    with database.reading() as db:
        return [(str(w), str(s), int(n)) for w, s, n in db.execute(query).all()]


def _move_one(database: Database, blobs: BlobStore, workspace: str, sha256: str) -> int:
    """Copy one row's bytes to the blob store and check them there; their size."""
    query = select(image_blobs.c.data).where(
        image_blobs.c.workspace == workspace, image_blobs.c.sha256 == sha256, _IN_DATABASE
    )
    with database.reading() as db:
        data = db.execute(query).scalar()
    if data is None:
        return 0  # moved by another process meanwhile
    blobs.put(workspace, sha256, bytes(data))
    if blobs.size(workspace, sha256) != len(data):
        raise BlobStoreError(
            f"An original written to {blobs.location} did not read back whole, so it stays in "
            "the history database; check the blob store and open the history again."
        )
    return len(data)


def _empty_rows(database: Database, moved: list[tuple[str, str]]) -> None:
    with database.writing() as db:
        for workspace, sha256 in moved:
            db.execute(
                update(image_blobs)
                .where(
                    image_blobs.c.workspace == workspace,
                    image_blobs.c.sha256 == sha256,
                    _IN_DATABASE,
                )
                .values(data=b"", stored_in="blob_store")
            )


def _vacuum(database: Database) -> None:
    """Give the file back the space the moved bytes took (SQLite only keeps it for reuse)."""
    if not database.is_sqlite:
        return
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    except sqlite3.Error as exc:  # a reader holding the file: it shrinks next time
        _LOG.info("The history file was not vacuumed after the move (%s).", exc)
    finally:
        raw.close()


def move_originals(
    database: Database,
    blobs: BlobStore,
    *,
    rows_per_batch: int = ROWS_PER_BATCH,
    on_progress: Callable[[MoveProgress], None] | None = None,
) -> MoveProgress:
    """Move every original still kept in the database's rows to the blob store, a batch at a
    time; raises BlobStoreError (what moved so far stays moved)."""
    total, total_bytes = left_in_database(database)
    done = MoveProgress(moved=0, total=total, moved_bytes=0, total_bytes=total_bytes)
    if total == 0:
        return done
    _LOG.warning(
        "Moving %s kept originals (%s) out of the history database into %s; this happens once.",
        f"{total:,}",
        human_size(total_bytes),
        blobs.location,
    )
    logged = time.monotonic()
    while done.moved < total:
        batch = _next_batch(database, rows_per_batch)
        if not batch:
            break
        moved: list[tuple[str, str]] = []
        size = 0
        try:
            for workspace, sha256, _ in batch:
                size += _move_one(database, blobs, workspace, sha256)
                moved.append((workspace, sha256))
                if size >= BYTES_PER_BATCH:
                    break
        finally:
            # What reached the blob store before a failure counts as moved.
            _empty_rows(database, moved)
        done = MoveProgress(
            moved=done.moved + len(moved),
            total=total,
            moved_bytes=done.moved_bytes + size,
            total_bytes=total_bytes,
        )
        if on_progress is not None:
            on_progress(done)
        if time.monotonic() - logged >= _LOG_EVERY_S:
            _LOG.warning("%s.", done.line)
            logged = time.monotonic()
    _vacuum(database)
    _LOG.warning("%s into %s.", done.line, blobs.location)
    return done
