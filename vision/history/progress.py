"""A kept batch's progress as the history has it: answered and failed jobs per model, its latest
errors, and when whoever runs it was last heard from. Read from the store alone, so a batch run
by another replica, another tab or a worker (or before a restart) shows the same numbers.

Whoever runs a batch touches its row every few seconds (vision/batch/running/heartbeat.py); a
"running" batch not heard from for a while is taken to have stopped (vision.values.batch.STALE_S).
"""

from __future__ import annotations

import json
import time

from sqlalchemy import and_, case, func, select, update

from vision.history.rows import WorkspaceRows
from vision.history.tables import batches, runs
from vision.values.batch import ItemError, ModelProgress, StoredProgress

ERRORS_SHOWN = 3
# Batches a page watches at once (the newest).
ACTIVE_SHOWN = 5


def _models(spec: dict[str, object]) -> tuple[str, ...]:
    listed = spec.get("models")
    return tuple(str(model) for model in listed) if isinstance(listed, list) else ()


def _items(spec: dict[str, object]) -> int | None:
    count = spec.get("item_count")
    return count if isinstance(count, int) else None


class ProgressRecords(WorkspaceRows):
    """This workspace's kept batches as they progress, wherever they run."""

    def batch_progress(self, batch_id: str) -> StoredProgress | None:
        """The progress of one of this workspace's kept batches; None for any other id."""
        mine = (runs.c.workspace == self.workspace, runs.c.batch_id == batch_id)
        visible = (*mine, runs.c.deleted_at.is_(None))
        answered = func.max(case((runs.c.error.is_(None), 1), else_=0))
        per_job = (
            select(runs.c.model.label("model"), answered.label("ok"))
            .where(*visible)
            .group_by(runs.c.model, runs.c.item_index)
            .subquery()
        )
        counts = select(per_job.c.model, func.sum(per_job.c.ok), func.count()).group_by(
            per_job.c.model
        )
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
            and_(batches.c.workspace == self.workspace, batches.c.id == batch_id),
            batches.c.spec.is_not(None),
        )
        with self._database.reading() as db:
            row = db.execute(row_query).first()
            if row is None:
                return None
            found = {
                str(model): (int(ok or 0), int(jobs)) for model, ok, jobs in db.execute(counts)
            }
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
                    model=str(model),
                    item=name or f"item {int(index or 0) + 1}",
                    sentence=str(error),
                )
                for model, name, index, error in failures
            ),
            last_seen=max(heard) if heard else None,
        )

    def active_batches(self, *, now: float | None = None) -> list[StoredProgress]:
        """This workspace's batches running somewhere (or waiting for a worker), newest first."""
        query = (
            select(batches.c.id)
            .where(
                self._mine(batches),
                batches.c.spec.is_not(None),
                batches.c.state.in_(("queued", "running")),
            )
            .order_by(batches.c.created_at.desc(), batches.c.id)
            .limit(ACTIVE_SHOWN)
        )
        ids = [str(value) for value in self._scalars(query)]
        found = (self.batch_progress(batch_id) for batch_id in ids)
        return [progress for progress in found if progress is not None and progress.active(now)]

    def touch_batch(self, batch_id: str) -> None:
        """Say that this batch is still being run (its row's updated_at), without changing it."""
        with self._database.writing() as db:
            db.execute(
                update(batches)
                .where(self._mine(batches), batches.c.id == batch_id)
                .values(updated_at=time.time())
            )
