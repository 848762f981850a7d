"""A batch's progress as the history has it: answered and failed jobs per model, its latest
errors, and whether something is still running it. Read from the store alone, so a batch run by
another replica, another tab or a worker (or before a restart) shows the same numbers.

Whoever runs a batch touches its row every HEARTBEAT_S (Heartbeat); a "running" batch not heard
from for STALE_S is taken to have stopped with its process, so it never looks busy forever.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, func, select, update

from vision.errors import HistoryError
from vision.history.tables import batches, runs

if TYPE_CHECKING:
    from vision.history.store import HistoryStore

HEARTBEAT_S = 5.0
STALE_S = 30.0
ERRORS_SHOWN = 3
# Batches a page watches at once (the newest).
ACTIVE_SHOWN = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelProgress:
    """One model's jobs in a batch: answered, failed (no answer yet), out of its items."""

    model: str
    answered: int
    failed: int
    total: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemError:
    """A job that failed and has no answer: its model, item and the error's sentence."""

    model: str
    item: str
    sentence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredProgress:
    """A kept batch at one moment, from the store: its state, counts per model, latest errors."""

    batch_id: str
    state: str | None
    items: int | None
    models: tuple[ModelProgress, ...]
    errors: tuple[ItemError, ...]
    last_seen: float | None

    @property
    def answered(self) -> int:
        """Jobs with an answer, every model together."""
        return sum(model.answered for model in self.models)

    @property
    def failed(self) -> int:
        """Jobs that failed and have no answer, every model together."""
        return sum(model.failed for model in self.models)

    @property
    def total(self) -> int | None:
        """Jobs in all (items × models), when the number of items is known."""
        return None if self.items is None else self.items * len(self.models)

    def quiet_for(self, now: float | None = None) -> float | None:
        """Seconds since whoever runs the batch was last heard from (a heartbeat or a run)."""
        if self.last_seen is None:
            return None
        return max(0.0, (time.time() if now is None else now) - self.last_seen)

    def active(self, now: float | None = None) -> bool:
        """True while the batch waits for a worker, or runs and was heard from recently."""
        if self.state == "queued":
            return True
        quiet = self.quiet_for(now)
        return self.state == "running" and quiet is not None and quiet < STALE_S


def _models(spec: dict[str, object]) -> tuple[str, ...]:
    listed = spec.get("models")
    return tuple(str(model) for model in listed) if isinstance(listed, list) else ()


def _items(spec: dict[str, object]) -> int | None:
    listed = spec.get("items")
    return len(listed) if isinstance(listed, list) else None


def batch_progress(store: HistoryStore, batch_id: str) -> StoredProgress | None:
    """The progress of one of this workspace's kept batches; None for any other id."""
    mine = (runs.c.workspace == store.workspace, runs.c.batch_id == batch_id)
    visible = (*mine, runs.c.deleted_at.is_(None))
    answered = func.max(case((runs.c.error.is_(None), 1), else_=0))
    per_job = (
        select(runs.c.model.label("model"), answered.label("ok"))
        .where(*visible)
        .group_by(runs.c.model, runs.c.item_index)
        .subquery()
    )
    counts = select(per_job.c.model, func.sum(per_job.c.ok), func.count()).group_by(per_job.c.model)
    answer = runs.alias("answer")
    unanswered = ~(
        select(answer.c.id)
        .where(
            answer.c.workspace == runs.c.workspace,
            answer.c.batch_id == runs.c.batch_id,
            answer.c.model == runs.c.model,
            answer.c.item_index == runs.c.item_index,
            answer.c.deleted_at.is_(None),
            answer.c.error.is_(None),
        )
        .exists()
    )
    errors = (
        select(runs.c.model, runs.c.item_name, runs.c.item_index, runs.c.error)
        .where(*visible, runs.c.error.is_not(None), unanswered)
        .order_by(runs.c.id.desc())
        .limit(ERRORS_SHOWN)
    )
    row_query = select(batches.c.spec, batches.c.state, batches.c.updated_at).where(
        and_(batches.c.workspace == store.workspace, batches.c.id == batch_id),
        batches.c.spec.is_not(None),
    )
    with store.database.reading() as db:
        row = db.execute(row_query).first()
        if row is None:
            return None
        found = {str(model): (int(ok or 0), int(jobs)) for model, ok, jobs in db.execute(counts)}
        newest = db.execute(select(func.max(runs.c.created_at)).where(*mine)).scalar()
        failures = db.execute(errors).all()
    spec = json.loads(row[0])
    items = _items(spec)
    chosen = _models(spec) or tuple(sorted(found))
    models = tuple(
        ModelProgress(
            model=model,
            answered=found.get(model, (0, 0))[0],
            failed=found.get(model, (0, 0))[1] - found.get(model, (0, 0))[0],
            total=items,
        )
        for model in chosen
    )
    heard = [float(value) for value in (row[2], newest) if value is not None]
    return StoredProgress(
        batch_id=batch_id,
        state=row[1],
        items=items,
        models=models,
        errors=tuple(
            ItemError(
                model=str(model), item=name or f"item {int(index or 0) + 1}", sentence=str(error)
            )
            for model, name, index, error in failures
        ),
        last_seen=max(heard) if heard else None,
    )


def active_batches(store: HistoryStore, *, now: float | None = None) -> list[StoredProgress]:
    """This workspace's batches running somewhere (or waiting for a worker), newest first."""
    query = (
        select(batches.c.id)
        .where(
            batches.c.workspace == store.workspace,
            batches.c.spec.is_not(None),
            batches.c.state.in_(("queued", "running")),
        )
        .order_by(batches.c.created_at.desc(), batches.c.id)
        .limit(ACTIVE_SHOWN)
    )
    with store.database.reading() as db:
        ids = [str(value) for value in db.execute(query).scalars()]
    found = (batch_progress(store, batch_id) for batch_id in ids)
    return [progress for progress in found if progress is not None and progress.active(now)]


def touch_batch(store: HistoryStore, batch_id: str) -> None:
    """Say that this batch is still being run (its row's updated_at), without changing it."""
    with store.database.writing() as db:
        db.execute(
            update(batches)
            .where(batches.c.workspace == store.workspace, batches.c.id == batch_id)
            .values(updated_at=time.time())
        )


class Heartbeat:
    """Touches a batch every HEARTBEAT_S on a daemon thread while the block runs."""

    def __init__(self, store: HistoryStore, batch_id: str, every_s: float = HEARTBEAT_S) -> None:
        self._store = store
        self._batch_id = batch_id
        self._every_s = every_s
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="batch-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._done.wait(self._every_s):
            try:
                touch_batch(self._store, self._batch_id)
            except HistoryError:
                continue  # a missed beat: the next one, or the batch's runs, say it lives

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()
