"""The batch queue in the history's own database: a queued batch is cut into chunks of items;
a worker claims one with a lease, renews it while it works and marks it done. A chunk whose
lease ran out (its worker died) is claimed again, and since a chunk's run asks only what has no
saved answer, every item is answered once (docs/queue.md).

Each claim counts as an attempt; the claim says which one it is, so a chunk that has had every
attempt allowed without being finished is given up by its next claimer (vision/batch/queue/).

On PostgreSQL claims use SELECT ... FOR UPDATE SKIP LOCKED, so any number of worker processes
on any number of machines take different chunks; on SQLite the file's one writer does the same.
The queue serves every workspace: a worker claims anyone's chunk and runs it as its owner's.
"""

from __future__ import annotations

import time

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from vision.history.rows import WorkspaceRows
from vision.history.tables import batch_chunks
from vision.values.kept_batch import Claim

# Items per chunk: small enough that two workers share a batch, large enough that claiming is
# rare next to asking.
CHUNK_ITEMS = 10
LEASE_S = 30.0
DEFAULT_CHUNK_ATTEMPTS = 3


def _key(workspace: str, batch_id: str, chunk: int) -> tuple[ColumnElement[bool], ...]:
    return (
        batch_chunks.c.workspace == workspace,
        batch_chunks.c.batch_id == batch_id,
        batch_chunks.c.chunk == chunk,
    )


def _held(claim: Claim) -> tuple[ColumnElement[bool], ...]:
    """The claimed chunk, while its worker still holds it."""
    return (
        *_key(claim.workspace, claim.batch_id, claim.chunk),
        batch_chunks.c.worker == claim.worker,
        batch_chunks.c.state == "running",
    )


class ChunkRecords(WorkspaceRows):
    """The batch queue: this workspace's batches queued in chunks, and claims on any chunk."""

    def enqueue_chunks(
        self,
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
                "workspace": self.workspace,
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
        with self._database.writing() as db:
            db.execute(insert(batch_chunks), rows)
        return len(rows)

    def chunk_counts(self, batch_id: str) -> dict[str, int]:
        """How many of a batch's chunks are queued, running and done."""
        query = (
            select(batch_chunks.c.state, func.count())
            .where(self._mine(batch_chunks), batch_chunks.c.batch_id == batch_id)
            .group_by(batch_chunks.c.state)
        )
        with self._database.reading() as db:
            found = {str(state): int(count) for state, count in db.execute(query)}
        return {state: found.get(state, 0) for state in ("queued", "running", "done")}

    def requeue_chunks(self, batch_id: str, *, retry_through: int | None = None) -> int:
        """Queue a finished batch's chunks again (attempts from zero), so workers ask what it
        still lacks (a request a budget held back, say), and with retry_through (a Retry) its
        failures saved in runs up to that id; how many were queued."""
        with self._database.writing() as db:
            done = db.execute(
                update(batch_chunks)
                .where(
                    self._mine(batch_chunks),
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

    def claim_chunk(
        self,
        worker: str,
        *,
        lease_s: float = LEASE_S,
        max_attempts: int = DEFAULT_CHUNK_ATTEMPTS,
    ) -> Claim | None:
        """The oldest queued chunk of any workspace, or one whose lease ran out, now leased to
        this worker (the claim says which attempt it is, and when the chunk has had all it may)."""
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
        if not self._database.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        with self._database.writing() as db:
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

    def renew_lease(self, claim: Claim, *, lease_s: float = LEASE_S) -> bool:
        """Extend the lease; False when the chunk is no longer this worker's (it must stop)."""
        with self._database.writing() as db:
            done = db.execute(
                update(batch_chunks).where(*_held(claim)).values(lease_until=time.time() + lease_s)
            )
        return done.rowcount > 0

    def release_chunk(self, claim: Claim) -> None:
        """Hand a chunk this worker failed on back to the queue at once (not when its lease runs
        out), to be claimed again: its attempt is already counted."""
        with self._database.writing() as db:
            db.execute(
                update(batch_chunks)
                .where(*_held(claim))
                .values(state="queued", worker=None, lease_until=None)
            )

    def finish_chunk(self, claim: Claim) -> bool:
        """Mark the chunk done; True when that was the batch's last chunk."""
        with self._database.writing() as db:
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

    def unfinished_chunks(self) -> int:
        """Chunks of any workspace's batches not done yet (queued, or held by a worker, alive
        or not)."""
        query = select(func.count()).select_from(batch_chunks).where(batch_chunks.c.state != "done")
        with self._database.reading() as db:
            return int(db.execute(query).scalar_one())
