"""The batches a workspace keeps: what each was asked, its state, its jobs, and answers served
again from the cache."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import func, or_, select, update

from vision.history.rows import RUN_SELECT, WorkspaceRows
from vision.history.schema import (
    moment,
    timestamp,
)
from vision.history.tables import (
    batches,
    runs,
)
from vision.values.kept_batch import KeptBatch
from vision.values.run import NOT_SENT, REPEAT_PARAM, Run, utc_now

# A saved run of a batch: item index, model, item name, failed, run id, repeat.
SavedJob = tuple[int, str, str | None, bool, int, int]


class BatchRecords(WorkspaceRows):
    """A workspace's kept batches: their specs and states, their jobs."""

    def batch_jobs(self, batch_id: str) -> list[SavedJob]:
        """Each saved run of a batch as (item index, model, item name, failed, run id, repeat),
        in order; a run held back unsent (a budget) is left out, so its job is still to ask."""
        sent = or_(runs.c.finish_reason.is_(None), runs.c.finish_reason != NOT_SENT)
        query = (
            select(
                runs.c.item_index,
                runs.c.model,
                runs.c.item_name,
                runs.c.error,
                runs.c.id,
                runs.c.params,
            )
            .where(runs.c.batch_id == batch_id, sent, *self._visible())
            .order_by(runs.c.id)
        )
        with self._database.reading() as db:
            return [
                (int(index or 0), str(model), name, error is not None, int(run_id), _repeat(params))
                for index, model, name, error, run_id, params in db.execute(query)
            ]

    def newest_batch_run(self, batch_id: str) -> int:
        """The id of the batch's newest saved run (0 when it has none): a Retry asks again the
        failures up to it, never one saved after."""
        query = select(func.max(runs.c.id)).where(runs.c.batch_id == batch_id, *self._visible())
        with self._database.reading() as db:
            return int(db.execute(query).scalar_one() or 0)

    def cached_run(self, cache_key: str) -> Run | None:
        """The newest complete, non-empty answer saved under a deterministic request's key
        (vision/batch/running/answer_cache.py), or None; errors are never served."""
        query = (
            select(*RUN_SELECT)
            .where(
                runs.c.cache_key == cache_key,
                runs.c.error.is_(None),
                runs.c.complete == 1,
                runs.c.answer != "",
            )
            .order_by(runs.c.id.desc())
            .limit(1)
        )
        found = self._runs(query)
        return found[0] if found else None

    def save_batch(self, batch_id: str, spec: Mapping[str, Any], *, state: str) -> None:
        """Record what a batch was asked to do (JSON-able) and its state, creating its row."""
        now = timestamp(utc_now())
        text = json.dumps(dict(spec), sort_keys=True)
        with self._database.writing() as db:
            self._insert_new(
                db, batches, {"workspace": self.workspace, "id": batch_id, "created_at": now}
            )
            db.execute(
                update(batches)
                .where(batches.c.id == batch_id, self._mine(batches))
                .values(spec=text, state=state, updated_at=now)
            )

    def set_batch_state(self, batch_id: str, state: str) -> None:
        """Change a recorded batch's state (queued, running, done, cancelled)."""
        with self._database.writing() as db:
            db.execute(
                update(batches)
                .where(batches.c.id == batch_id, self._mine(batches))
                .values(state=state, updated_at=timestamp(utc_now()))
            )

    def batch_spec(self, batch_id: str) -> tuple[dict[str, Any], str | None] | None:
        """A batch's recorded spec and state, or None when it has none (or is not this
        workspace's)."""
        query = select(batches.c.spec, batches.c.state).where(
            batches.c.id == batch_id, self._mine(batches), batches.c.spec.is_not(None)
        )
        with self._database.reading() as db:
            row = db.execute(query).first()
        return None if row is None else (json.loads(row[0]), row[1])

    def kept_batches(
        self, limit: int = 20, *, ids: Collection[str] | None = None
    ) -> list[KeptBatch]:
        """The newest batches recorded with a spec (or, with `ids`, those of them), newest
        first."""
        query = (
            select(batches.c.id, batches.c.spec, batches.c.state, batches.c.created_at)
            .where(self._mine(batches), batches.c.spec.is_not(None))
            .order_by(batches.c.created_at.desc(), batches.c.id)
            .limit(limit)
        )
        if ids is not None:
            query = query.where(batches.c.id.in_(list(ids)))
        with self._database.reading() as db:
            return [
                KeptBatch(id=str(i), spec=json.loads(spec), state=state, created_at=moment(when))
                for i, spec, state, when in db.execute(query)
            ]

    def batches_in(self, *states: str) -> list[str]:
        """Ids of recorded batches in these states, oldest first."""
        query = (
            select(batches.c.id)
            .where(self._mine(batches), batches.c.state.in_(states))
            .order_by(batches.c.created_at, batches.c.id)
        )
        return [str(value) for value in self._scalars(query)]


def _repeat(params: str | None) -> int:
    """The repeat a run's parameters name (vision.values.run.REPEAT_PARAM), 0 when none."""
    if not params or REPEAT_PARAM not in params:
        return 0
    value = json.loads(params).get(REPEAT_PARAM, 0)
    return value if isinstance(value, int) and value > 0 else 0
