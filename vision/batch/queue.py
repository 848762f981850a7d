"""The batch queue in the history's own database: a queued batch is cut into chunks of items;
a worker claims one with a lease, renews it while it works and marks it done. A chunk whose
lease ran out (its worker died) is claimed again, and since a chunk's run asks only what has no
saved answer, every item is answered once (docs/evaluation.md).

Each claim counts as an attempt. A chunk that has had VISION_BATCH_CHUNK_ATTEMPTS of them (3 by
default) without being finished, because its worker crashed or failed on it every time, is not
run again: the next claim gives it up (vision/batch/abandon.py), so the batch can finish.

On PostgreSQL claims use SELECT ... FOR UPDATE SKIP LOCKED, so any number of worker processes
on any number of machines take different chunks; on SQLite the file's one writer does the same.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from vision.errors import RequestError
from vision.history.tables import batch_chunks

if TYPE_CHECKING:
    from vision.history.database import Database
    from vision.history.store import HistoryStore

# Items per chunk: small enough that two workers share a batch, large enough that claiming is
# rare next to asking.
CHUNK_ITEMS = 10
LEASE_S = 30.0
CHUNK_ATTEMPTS_ENV = "VISION_BATCH_CHUNK_ATTEMPTS"
DEFAULT_CHUNK_ATTEMPTS = 3


def chunk_attempts(environ: Mapping[str, str] | None = None) -> int:
    """How many times a chunk is claimed before it is given up, from VISION_BATCH_CHUNK_ATTEMPTS."""
    env = os.environ if environ is None else environ
    raw = env.get(CHUNK_ATTEMPTS_ENV, "").strip()
    if not raw:
        return DEFAULT_CHUNK_ATTEMPTS
    if not raw.isdigit() or int(raw) < 1:
        raise RequestError(
            f"{CHUNK_ATTEMPTS_ENV} must be a whole number of at least 1; it is {raw!r}."
        )
    return int(raw)


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """A chunk a worker holds: its batch, its items [first_item, end_item), who holds it,
    which attempt this claim is (1 for the first) of the most allowed, and, when a Retry queued
    it, the newest run id the Retry saw (failures up to it are asked again)."""

    workspace: str
    batch_id: str
    chunk: int
    first_item: int
    end_item: int
    worker: str
    attempt: int = 1
    max_attempts: int = DEFAULT_CHUNK_ATTEMPTS
    retry_through: int | None = None

    @property
    def items(self) -> range:
        """The item indices of the chunk."""
        return range(self.first_item, self.end_item)

    @property
    def exhausted(self) -> bool:
        """True when every allowed attempt was made before this claim: give the chunk up."""
        return self.attempt > self.max_attempts

    @property
    def last_chance(self) -> bool:
        """True when this is the last attempt allowed: if it fails, the chunk is given up."""
        return self.attempt >= self.max_attempts


def enqueue_chunks(
    store: HistoryStore,
    batch_id: str,
    items: int,
    *,
    chunk_items: int = CHUNK_ITEMS,
    retry_through: int | None = None,
) -> int:
    """Queue a batch's items in chunks (the batch's spec is saved first); how many chunks."""
    now = time.time()
    rows = [
        {
            "workspace": store.workspace,
            "batch_id": batch_id,
            "chunk": number,
            "first_item": first,
            "end_item": min(items, first + chunk_items),
            "state": "queued",
            "created_at": now,
            "retry_through": retry_through,
        }
        for number, first in enumerate(range(0, items, chunk_items))
    ]
    with store.database.writing() as db:
        db.execute(insert(batch_chunks), rows)
    return len(rows)


def claim_chunk(
    database: Database,
    worker: str,
    *,
    lease_s: float = LEASE_S,
    max_attempts: int = DEFAULT_CHUNK_ATTEMPTS,
) -> Claim | None:
    """The oldest queued chunk, or one whose lease ran out, now leased to this worker (the
    claim says which attempt it is, and when the chunk has had all it may)."""
    now = time.time()
    claimable = or_(
        batch_chunks.c.state == "queued",
        and_(batch_chunks.c.state == "running", batch_chunks.c.lease_until < now),
    )
    query = (
        select(batch_chunks)
        .where(claimable)
        .order_by(batch_chunks.c.created_at, batch_chunks.c.batch_id, batch_chunks.c.chunk)
        .limit(1)
    )
    if not database.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    with database.writing() as db:
        row = db.execute(query).mappings().first()
        if row is None:
            return None
        db.execute(
            update(batch_chunks)
            .where(*_key(row["workspace"], row["batch_id"], row["chunk"]))
            .values(
                state="running",
                worker=worker,
                lease_until=now + lease_s,
                attempts=batch_chunks.c.attempts + 1,
            )
        )
    return Claim(
        workspace=row["workspace"],
        batch_id=row["batch_id"],
        chunk=row["chunk"],
        first_item=row["first_item"],
        end_item=row["end_item"],
        worker=worker,
        attempt=int(row["attempts"]) + 1,
        max_attempts=max_attempts,
        retry_through=row["retry_through"],
    )


def _key(workspace: str, batch_id: str, chunk: int) -> tuple[ColumnElement[bool], ...]:
    return (
        batch_chunks.c.workspace == workspace,
        batch_chunks.c.batch_id == batch_id,
        batch_chunks.c.chunk == chunk,
    )


def renew(database: Database, claim: Claim, *, lease_s: float = LEASE_S) -> bool:
    """Extend the lease; False when the chunk is no longer this worker's (it must stop)."""
    with database.writing() as db:
        done = db.execute(
            update(batch_chunks)
            .where(
                *_key(claim.workspace, claim.batch_id, claim.chunk),
                batch_chunks.c.worker == claim.worker,
                batch_chunks.c.state == "running",
            )
            .values(lease_until=time.time() + lease_s)
        )
    return done.rowcount > 0


def release(database: Database, claim: Claim) -> None:
    """Hand a chunk this worker failed on back to the queue at once (not when its lease runs
    out), to be claimed again: its attempt is already counted."""
    with database.writing() as db:
        db.execute(
            update(batch_chunks)
            .where(
                *_key(claim.workspace, claim.batch_id, claim.chunk),
                batch_chunks.c.worker == claim.worker,
                batch_chunks.c.state == "running",
            )
            .values(state="queued", worker=None, lease_until=None)
        )


def finish(database: Database, claim: Claim) -> bool:
    """Mark the chunk done; True when that was the batch's last chunk."""
    with database.writing() as db:
        db.execute(
            update(batch_chunks)
            .where(
                *_key(claim.workspace, claim.batch_id, claim.chunk),
                batch_chunks.c.worker == claim.worker,
            )
            .values(state="done", lease_until=None)
        )
        left = db.execute(
            select(func.count())
            .select_from(batch_chunks)
            .where(
                batch_chunks.c.workspace == claim.workspace,
                batch_chunks.c.batch_id == claim.batch_id,
                batch_chunks.c.state != "done",
            )
        ).scalar_one()
    return int(left) == 0


def chunk_counts(store: HistoryStore, batch_id: str) -> dict[str, int]:
    """How many of a batch's chunks are queued, running and done."""
    query = (
        select(batch_chunks.c.state, func.count())
        .where(batch_chunks.c.workspace == store.workspace, batch_chunks.c.batch_id == batch_id)
        .group_by(batch_chunks.c.state)
    )
    with store.database.reading() as db:
        found = {str(state): int(count) for state, count in db.execute(query)}
    return {state: found.get(state, 0) for state in ("queued", "running", "done")}


def unfinished(database: Database) -> int:
    """Chunks of any batch not done yet (queued, or held by a worker, alive or not)."""
    query = select(func.count()).select_from(batch_chunks).where(batch_chunks.c.state != "done")
    with database.reading() as db:
        return int(db.execute(query).scalar_one())


def requeue_chunks(store: HistoryStore, batch_id: str, *, retry_through: int | None = None) -> int:
    """Queue a finished batch's chunks again (attempts from zero), so workers ask what it still
    lacks (a request a budget held back, say), and with retry_through (a Retry) its failures
    saved in runs up to that id; how many were queued."""
    with store.database.writing() as db:
        done = db.execute(
            update(batch_chunks)
            .where(
                batch_chunks.c.workspace == store.workspace,
                batch_chunks.c.batch_id == batch_id,
                batch_chunks.c.state == "done",
            )
            .values(
                state="queued",
                worker=None,
                lease_until=None,
                attempts=0,
                retry_through=retry_through,
            )
        )
    return int(done.rowcount)


def queue_again(
    store: HistoryStore, batch_id: str, items: int, *, retry_through: int | None = None
) -> int:
    """Queue a recorded batch for the workers again (`eval --resume --queue`): its chunks when
    it has some, all of them done, else new ones (a batch run here before); how many."""
    counts = chunk_counts(store, batch_id)
    if counts["queued"] + counts["running"]:
        raise RequestError(
            f"Batch {batch_id} is still queued for the workers or being run by one; wait until "
            "it is done, then queue it again."
        )
    if counts["done"]:
        return requeue_chunks(store, batch_id, retry_through=retry_through)
    return enqueue_chunks(store, batch_id, items, retry_through=retry_through)
