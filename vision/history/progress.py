"""A kept batch's progress as the history has it: answered and failed jobs per model, its latest
errors, and when whoever runs it was last heard from. Read from the store alone, so a batch run
by another replica, another tab or a worker (or before a restart) shows the same numbers.

Whoever runs a batch touches its row every few seconds (vision/batch/running/heartbeat.py); a
"running" batch not heard from for a while is taken to have stopped (vision.values.batch.STALE_S).
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Connection, and_, case, func, select, update

from vision.history.rows import WorkspaceRows
from vision.history.tables import batches, runs
from vision.values.batch import request_count
from vision.values.kept_batch import ItemError, KeptProgress, ModelProgress

ERRORS_SHOWN = 3
# Batches a page watches at once (the newest).
ACTIVE_SHOWN = 5


def _models(spec: dict[str, object]) -> tuple[str, ...]:
    listed = spec.get("models")
    return tuple(str(model) for model in listed) if isinstance(listed, list) else ()


def _repeated(spec: dict[str, object]) -> bool:
    repeats = spec.get("repeats", 1)
    return isinstance(repeats, int) and repeats > 1


def _items(spec: dict[str, object]) -> int | None:
    """A model's jobs: the items, each counted once per repeat."""
    count, repeats = spec.get("item_count"), spec.get("repeats", 1)
    if not isinstance(count, int):
        return None
    return request_count(count, 1, repeats if isinstance(repeats, int) and repeats > 1 else 1)


class ProgressRecords(WorkspaceRows):
    """This workspace's kept batches as they progress, wherever they run."""

    def batch_progress(self, batch_id: str) -> KeptProgress | None:
        """The progress of one of this workspace's kept batches; None for any other id."""
        row_query = select(batches.c.spec, batches.c.state, batches.c.updated_at).where(
            and_(batches.c.workspace == self.workspace, batches.c.id == batch_id),
            batches.c.spec.is_not(None),
        )
        with self._database.reading() as db:
            row = db.execute(row_query).first()
            if row is None:
                return None
            spec = json.loads(row[0])
            found, newest, failures = self._counts(db, batch_id, repeated=_repeated(spec))
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
        return KeptProgress(
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

    def _counts(
        self, db: Connection, batch_id: str, *, repeated: bool
    ) -> tuple[dict[str, tuple[int, int]], float | None, list[Any]]:
        """Answered and all jobs per model, the newest run's time, and the latest failures
        without an answer; a repeated batch's repeats are jobs of their own (their parameters
        name them: vision.values.run.REPEAT_PARAM)."""
        mine = (runs.c.workspace == self.workspace, runs.c.batch_id == batch_id)
        visible = (*mine, runs.c.deleted_at.is_(None))
        answered = func.max(case((runs.c.error.is_(None), 1), else_=0))
        job = (runs.c.model, runs.c.item_index, *((runs.c.params,) if repeated else ()))
        per_job = (
            select(runs.c.model.label("model"), answered.label("ok"))
            .where(*visible)
            .group_by(*job)
            .subquery()
        )
        counts = select(per_job.c.model, func.sum(per_job.c.ok), func.count()).group_by(
            per_job.c.model
        )
        answer = runs.alias("answer")
        same_repeat = (answer.c.params == runs.c.params,) if repeated else ()
        unanswered = ~(
            select(answer.c.id)
            .where(
                answer.c.workspace == runs.c.workspace,
                answer.c.batch_id == runs.c.batch_id,
                answer.c.model == runs.c.model,
                answer.c.item_index == runs.c.item_index,
                *same_repeat,
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
        found = {str(model): (int(ok or 0), int(jobs)) for model, ok, jobs in db.execute(counts)}
        newest = db.execute(select(func.max(runs.c.created_at)).where(*mine)).scalar()
        return found, newest, list(db.execute(errors).all())

    def active_batches(self, *, now: float | None = None) -> list[KeptProgress]:
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
