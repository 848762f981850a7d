"""The batch queue in the history's own database: a queued batch is cut into chunks of items;
a worker claims one with a lease, renews it while it works and marks it done. A chunk whose
lease ran out (its worker died) is claimed again, and since a chunk's run asks only what has no
saved answer, every item is answered once (docs/evaluation.md).

On PostgreSQL claims use SELECT ... FOR UPDATE SKIP LOCKED, so any number of worker processes
on any number of machines take different chunks; on SQLite the file's one writer does the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from vision.history.tables import batch_chunks

if TYPE_CHECKING:
    from vision.history.database import Database
    from vision.history.store import HistoryStore

# Items per chunk: small enough that two workers share a batch, large enough that claiming is
# rare next to asking.
CHUNK_ITEMS = 10
LEASE_S = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """A chunk a worker holds: its batch, its items [first_item, end_item), and who holds it."""

    workspace: str
    batch_id: str
    chunk: int
    first_item: int
    end_item: int
    worker: str

    @property
    def items(self) -> range:
        """The item indices of the chunk."""
        return range(self.first_item, self.end_item)


def enqueue_chunks(
    store: HistoryStore, batch_id: str, items: int, *, chunk_items: int = CHUNK_ITEMS
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
        }
        for number, first in enumerate(range(0, items, chunk_items))
    ]
    with store.database.writing() as db:
        db.execute(insert(batch_chunks), rows)
    return len(rows)


def claim_chunk(database: Database, worker: str, *, lease_s: float = LEASE_S) -> Claim | None:
    """The oldest queued chunk, or one whose lease ran out, now leased to this worker."""
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
