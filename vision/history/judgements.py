"""Judges' verdicts a workspace keeps beside its runs: one per answer, and one per pair of
answers to the same item (asked in both orders)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, union
from sqlalchemy.engine import Connection

from vision.history.rows import WorkspaceRows
from vision.history.schema import timestamp
from vision.history.tables import judgements, pair_verdicts, runs
from vision.values.judgement import Judgement, PairVerdict
from vision.values.run import utc_now

_PAIR_FIELDS = (
    "batch_id",
    "pair_id",
    "run_a_id",
    "run_b_id",
    "model_a",
    "model_b",
    "judge_model",
    "rubric",
    "a_first",
    "b_first",
    "reason_a_first",
    "reason_b_first",
)


class JudgementRecords(WorkspaceRows):
    """A workspace's judges' verdicts, on answers and on pairs of answers."""

    def _own_runs(self, db: Connection, ids: set[int]) -> set[int]:
        query = select(runs.c.id).where(runs.c.id.in_(ids), self._mine(runs))
        return set(db.execute(query).scalars())

    def save_judgements(self, found: Iterable[Judgement]) -> None:
        """Keep judges' verdicts beside the runs they judge (this workspace's runs only)."""
        now = timestamp(utc_now())
        rows: list[dict[str, Any]] = [
            {
                "run_id": judgement.run_id,
                "workspace": self.workspace,
                "judge_model": judgement.judge_model,
                "rubric": judgement.rubric,
                "score": judgement.score,
                "passed": int(judgement.passed),
                "reason": judgement.reason,
                "saw_images": int(judgement.saw_images),
                "created_at": now,
            }
            for judgement in found
        ]
        if not rows:
            return
        with self._database.writing() as db:
            mine = self._own_runs(db, {int(row["run_id"]) for row in rows})
            kept = [row for row in rows if row["run_id"] in mine]
            if kept:
                db.execute(insert(judgements), kept)

    def judgements(
        self, batch_id: str, *, judge_model: str | None = None, rubric: str | None = None
    ) -> list[Judgement]:
        """The newest verdict per run of a batch (optionally from one judge model, with one
        rubric)."""
        query = (
            select(judgements)
            .join(runs, runs.c.id == judgements.c.run_id)
            .where(runs.c.batch_id == batch_id, self._mine(judgements), *self._visible())
            .order_by(judgements.c.id)
        )
        if judge_model:
            query = query.where(judgements.c.judge_model == judge_model)
        if rubric is not None:
            query = query.where(judgements.c.rubric == rubric)
        newest: dict[int, Judgement] = {}
        with self._database.reading() as db:
            for row in db.execute(query).mappings():
                newest[int(row["run_id"])] = Judgement(
                    run_id=int(row["run_id"]),
                    judge_model=row["judge_model"],
                    rubric=row["rubric"],
                    score=float(row["score"]),
                    passed=bool(row["passed"]),
                    reason=row["reason"],
                    saw_images=bool(row["saw_images"]),
                )
        return list(newest.values())

    def save_pair_verdicts(self, found: Iterable[PairVerdict]) -> None:
        """Keep a judge's comparisons of two runs (both this workspace's runs)."""
        now = timestamp(utc_now())
        rows: list[dict[str, Any]] = [
            {
                **{name: getattr(verdict, name) for name in _PAIR_FIELDS},
                "saw_images": int(verdict.saw_images),
                "workspace": self.workspace,
                "created_at": now,
            }
            for verdict in found
        ]
        if not rows:
            return
        with self._database.writing() as db:
            mine = self._own_runs(
                db, {row[key] for row in rows for key in ("run_a_id", "run_b_id")}
            )
            kept = [row for row in rows if {row["run_a_id"], row["run_b_id"]} <= mine]
            if kept:
                db.execute(insert(pair_verdicts), kept)

    def pair_verdicts(
        self, batch_id: str, *, judge_model: str | None = None, rubric: str | None = None
    ) -> list[PairVerdict]:
        """The newest comparison per pair of runs of a batch (optionally from one judge model,
        with one rubric), whichever run was A."""
        query = (
            select(pair_verdicts)
            .where(pair_verdicts.c.batch_id == batch_id, self._mine(pair_verdicts))
            .order_by(pair_verdicts.c.id)
        )
        if judge_model:
            query = query.where(pair_verdicts.c.judge_model == judge_model)
        if rubric is not None:
            query = query.where(pair_verdicts.c.rubric == rubric)
        newest: dict[tuple[str, str, frozenset[int]], PairVerdict] = {}
        with self._database.reading() as db:
            visible = set(
                db.execute(
                    select(runs.c.id).where(runs.c.batch_id == batch_id, *self._visible())
                ).scalars()
            )
            for row in db.execute(query).mappings():
                verdict = PairVerdict(
                    **{name: row[name] for name in _PAIR_FIELDS},
                    saw_images=bool(row["saw_images"]),
                )
                pair = frozenset((verdict.run_a_id, verdict.run_b_id))
                if pair <= visible:  # a deleted run takes its comparisons out of view
                    newest[(verdict.judge_model, verdict.rubric, pair)] = verdict
        return list(newest.values())

    def batch_judges(self, batch_id: str) -> list[tuple[str, str]]:
        """Every (judge model, rubric) that judged some of a batch's answers or pairs."""
        graded = (
            select(judgements.c.judge_model, judgements.c.rubric)
            .join(runs, runs.c.id == judgements.c.run_id)
            .where(runs.c.batch_id == batch_id, self._mine(judgements))
        )
        compared = select(pair_verdicts.c.judge_model, pair_verdicts.c.rubric).where(
            pair_verdicts.c.batch_id == batch_id, self._mine(pair_verdicts)
        )
        with self._database.reading() as db:
            found = db.execute(union(graded, compared)).all()
        return sorted((str(model), str(rubric)) for model, rubric in found)
