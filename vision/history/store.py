"""The history: every run and vote saved as soon as it completes, in a SQLite file (the default)
or a PostgreSQL database ($VISION_DATABASE_URL), one workspace per person."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Select, Table, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.elements import ColumnElement

from vision.errors import HistoryError
from vision.history import config
from vision.history.config import (
    DATABASE_URL_ENV,
    HISTORY_PATH_ENV,
    LOCAL_WORKSPACE,
    MAX_IMAGE_BYTES_ENV,
    MAX_WORKSPACE_BYTES_ENV,
    ConnectionSettings,
    StoreLimits,
    check_workspace,
    default_history_path,
    resolve_url,
)
from vision.history.database import Database
from vision.history.migrate import current_revision, upgrade, version_number
from vision.history.records import (
    RUN_KINDS,
    VOTE_CHOICES,
    Run,
    RunImage,
    RunKind,
    Vote,
    utc_now,
)
from vision.history.schema import (
    RUN_COLUMNS,
    VOTE_COLUMNS,
    image_from_row,
    image_values,
    run_from_row,
    run_values,
    timestamp,
    vote_from_row,
    vote_values,
)
from vision.history.tables import (
    batches,
    image_blobs,
    judgements,
    run_images,
    run_sources,
    runs,
    votes,
)
from vision.scoring.judge import Judgement
from vision.sizes import human_size

__all__ = [
    "DATABASE_URL_ENV",
    "HISTORY_PATH_ENV",
    "LOCAL_WORKSPACE",
    "HistoryStore",
    "default_history_path",
]

# Run ids per query when reading their images (well under both engines' parameter limits).
_IDS_PER_QUERY = 500
_RUN_SELECT = (runs.c.id, *(runs.c[column] for column in RUN_COLUMNS))


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HistoryStore:
    """A thread-safe store of one workspace's runs, images and votes.

    HistoryStore(path) opens that SQLite file; HistoryStore() opens $VISION_DATABASE_URL when it
    is set, else the default file; HistoryStore(url=...) opens a database URL. Opening creates
    or upgrades the schema. Every read and write is limited to `workspace` ("local" for the
    single-user app): no id or hash reaches another workspace's rows.
    """

    path: Path | None
    workspace: str
    limits: StoreLimits

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        url: str | None = None,
        workspace: str = LOCAL_WORKSPACE,
        limits: StoreLimits | None = None,
        settings: ConnectionSettings | None = None,
    ) -> None:
        if path is not None and url is not None:
            raise TypeError("HistoryStore takes a path or a url, not both")
        self.workspace = check_workspace(workspace)
        self.limits = limits if limits is not None else StoreLimits.from_env()
        target = config.database_url(url) if url is not None else resolve_url(path)
        self._database = Database(target, settings or ConnectionSettings.from_env())
        self._owner = True
        self.path = self._database.path
        try:
            upgrade(self._database)
        except BaseException:
            self._database.close()
            raise

    def for_workspace(self, workspace: str) -> HistoryStore:
        """The same database seen as another workspace (sharing this store's connections;
        closing it leaves them open for this store)."""
        view = object.__new__(HistoryStore)
        view.workspace = check_workspace(workspace)
        view.limits = self.limits
        view.path = self.path
        view._database = self._database
        view._owner = False
        return view

    @property
    def database(self) -> Database:
        """The database connection, for queries kept beside the store (the batch queue)."""
        return self._database

    @property
    def location(self) -> str:
        """The SQLite file, or the PostgreSQL URL with its password hidden."""
        return self._database.location

    @property
    def engine_name(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._database.url.get_backend_name()

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        if self._owner:
            self._database.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "path" if self.path is not None else "url"
        return f"HistoryStore({where}={self.location!r}, workspace={self.workspace!r})"

    @property
    def schema_version(self) -> int:
        """The schema version of the open database (on SQLite also its PRAGMA user_version)."""
        with self._database.reading() as db:
            return version_number(current_revision(db))

    def _mine(self, table: Any) -> ColumnElement[bool]:
        return table.c.workspace == self.workspace  # type: ignore[no-any-return]

    def _visible(self) -> tuple[ColumnElement[bool], ...]:
        """This workspace's runs that are not deleted."""
        return (self._mine(runs), runs.c.deleted_at.is_(None))

    # Runs

    def save_run(self, run: Run, *, originals: Mapping[str, bytes] | None = None) -> Run:
        """Save a run, its images and the original bytes they came from (by hash, so that the
        run can be reopened and rerun) in one transaction; return it with its new id. An
        original over the configured limits is not kept, and its image's steps say so."""
        if run.kind not in RUN_KINDS:
            raise HistoryError(f"A run's kind is one of {', '.join(RUN_KINDS)}; not {run.kind!r}.")
        with self._database.writing() as db:
            unkept = {
                sha: reason
                for sha, data in (originals or {}).items()
                if (reason := self._keep(db, sha, data, mime=None)) is not None
            }
            images = tuple(_noting(image, unkept) for image in run.images)
            inserted = db.execute(
                insert(runs).values({**run_values(run), "workspace": self.workspace})
            )
            run_id = _new_id(inserted)
            if run.batch_id is not None:
                self._insert_new(
                    db,
                    batches,
                    {
                        "workspace": self.workspace,
                        "id": run.batch_id,
                        "created_at": timestamp(run.created_at),
                    },
                )
            if images:
                db.execute(insert(run_images), [image_values(run_id, image) for image in images])
            if run.sources:
                db.execute(
                    insert(run_sources), [image_values(run_id, image) for image in run.sources]
                )
        return replace(run, id=run_id, images=images)

    def get_run(self, run_id: int) -> Run | None:
        """The run with this id, or None when it does not exist (or was deleted)."""
        found = self._runs(select(*_RUN_SELECT).where(runs.c.id == run_id))
        return found[0] if found else None

    def delete_run(self, run_id: int) -> bool:
        """Take a run out of the history (restore_run brings it back; its id is never reused);
        False when there was no such run."""
        with self._database.writing() as db:
            done = db.execute(
                update(runs)
                .where(runs.c.id == run_id, self._mine(runs), runs.c.deleted_at.is_(None))
                .values(deleted_at=timestamp(utc_now()))
            )
            return done.rowcount > 0

    def restore_run(self, run_id: int) -> bool:
        """Bring back a deleted run; False when there was no deleted run with this id."""
        with self._database.writing() as db:
            done = db.execute(
                update(runs)
                .where(runs.c.id == run_id, self._mine(runs), runs.c.deleted_at.is_not(None))
                .values(deleted_at=None)
            )
            return done.rowcount > 0

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
        """Runs newest first, filtered by text (prompt, answer or an image's file name), model,
        tag, kind and date."""
        where = _filters(text=text, model=model, tag=tag, kind=kind, since=since, until=until)
        query = (
            select(*_RUN_SELECT)
            .where(*where)
            .order_by(runs.c.created_at.desc(), runs.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return self._runs(query)

    def count_runs(
        self,
        *,
        text: str | None = None,
        model: str | None = None,
        tag: str | None = None,
        kind: RunKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """How many runs search_runs would find with these filters and no limit."""
        where = _filters(text=text, model=model, tag=tag, kind=kind, since=since, until=until)
        query = select(func.count()).select_from(runs).where(*where, *self._visible())
        return int(self._scalars(query)[0])

    def batch_runs(self, batch_id: str, *, images: bool = True) -> list[Run]:
        """Every run of a batch, in the order they completed (without their images when
        images=False: scores need none, and a large batch's thumbnails add up)."""
        query = select(*_RUN_SELECT).where(runs.c.batch_id == batch_id).order_by(runs.c.id)
        if images:
            return self._runs(query)
        with self._database.reading() as db:
            rows = list(db.execute(query.where(*self._visible())).mappings())
        return [run_from_row(row, ()) for row in rows]

    def batch_jobs(self, batch_id: str) -> list[tuple[int, str, str | None, bool]]:
        """Each saved run of a batch as (item index, model, item name, failed), in order."""
        query = (
            select(runs.c.item_index, runs.c.model, runs.c.item_name, runs.c.error)
            .where(runs.c.batch_id == batch_id, *self._visible())
            .order_by(runs.c.id)
        )
        with self._database.reading() as db:
            return [
                (int(index or 0), str(model), name, error is not None)
                for index, model, name, error in db.execute(query)
            ]

    def cached_run(self, cache_key: str) -> Run | None:
        """The newest complete, non-empty answer saved under a deterministic request's key
        (vision/batch/cache.py), or None; errors are never served."""
        query = (
            select(*_RUN_SELECT)
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

    def kept_batches(self, limit: int = 20) -> list[tuple[str, dict[str, Any], str | None]]:
        """The newest batches recorded with a spec: (id, spec, state), newest first."""
        query = (
            select(batches.c.id, batches.c.spec, batches.c.state)
            .where(self._mine(batches), batches.c.spec.is_not(None))
            .order_by(batches.c.created_at.desc(), batches.c.id)
            .limit(limit)
        )
        with self._database.reading() as db:
            return [(str(i), json.loads(spec), state) for i, spec, state in db.execute(query)]

    def batches_in(self, *states: str) -> list[str]:
        """Ids of recorded batches in these states, oldest first."""
        query = (
            select(batches.c.id)
            .where(self._mine(batches), batches.c.state.in_(states))
            .order_by(batches.c.created_at, batches.c.id)
        )
        return [str(value) for value in self._scalars(query)]

    def save_judgements(self, found: Iterable[Judgement]) -> None:
        """Keep judges' verdicts beside the runs they judge (this workspace's runs only)."""
        rows = [
            {
                "run_id": judgement.run_id,
                "workspace": self.workspace,
                "judge_model": judgement.judge_model,
                "rubric": judgement.rubric,
                "score": judgement.score,
                "passed": int(judgement.passed),
                "reason": judgement.reason,
                "created_at": timestamp(utc_now()),
            }
            for judgement in found
        ]
        if not rows:
            return
        with self._database.writing() as db:
            ids = {row["run_id"] for row in rows}
            mine = set(
                db.execute(select(runs.c.id).where(runs.c.id.in_(ids), self._mine(runs))).scalars()
            )
            kept = [row for row in rows if row["run_id"] in mine]
            if kept:
                db.execute(insert(judgements), kept)

    def judgements(self, batch_id: str, *, judge_model: str | None = None) -> list[Judgement]:
        """The newest verdict per run of a batch (optionally from one judge model)."""
        query = (
            select(judgements)
            .join(runs, runs.c.id == judgements.c.run_id)
            .where(runs.c.batch_id == batch_id, self._mine(judgements), *self._visible())
            .order_by(judgements.c.id)
        )
        if judge_model:
            query = query.where(judgements.c.judge_model == judge_model)
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
                )
        return list(newest.values())

    def conversation_runs(self, conversation_id: str, *, model: str | None = None) -> list[Run]:
        """The turns of a conversation in order, optionally for one model only."""
        query = select(*_RUN_SELECT).where(runs.c.conversation_id == conversation_id)
        if model:
            query = query.where(runs.c.model == model)
        return self._runs(query.order_by(runs.c.id))

    def batch_ids(self) -> list[str]:
        """Batch ids, most recent first."""
        query = (
            select(runs.c.batch_id)
            .where(*self._visible(), runs.c.batch_id.is_not(None))
            .group_by(runs.c.batch_id)
            .order_by(func.max(runs.c.created_at).desc())
        )
        return [str(value) for value in self._scalars(query)]

    def models(self) -> list[str]:
        """Every model that appears in the history, for a filter list."""
        query = select(runs.c.model).where(*self._visible()).distinct().order_by(runs.c.model)
        return [str(value) for value in self._scalars(query)]

    def tags(self) -> list[str]:
        """Every tag that appears in the history, for a filter list."""
        query = (
            select(runs.c.tag)
            .where(*self._visible(), runs.c.tag.is_not(None))
            .distinct()
            .order_by(runs.c.tag)
        )
        return [str(value) for value in self._scalars(query)]

    def _scalars(self, query: Select[Any]) -> list[Any]:
        with self._database.reading() as db:
            return list(db.execute(query).scalars())

    def _runs(self, query: Select[Any]) -> list[Run]:
        """The runs a query selects within this workspace, with their images."""
        with self._database.reading() as db:
            rows = list(db.execute(query.where(*self._visible())).mappings())
            ids = [int(row["id"]) for row in rows]
            images = self._images(db, run_images, ids)
            sources = self._images(db, run_sources, ids)
        return [
            run_from_row(
                row,
                tuple(images.get(int(row["id"]), ())),
                tuple(sources.get(int(row["id"]), ())),
            )
            for row in rows
        ]

    def _images(self, db: Connection, table: Table, ids: list[int]) -> dict[int, list[RunImage]]:
        images: dict[int, list[RunImage]] = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            query = (
                select(table)
                .join(runs, runs.c.id == table.c.run_id)
                .where(table.c.run_id.in_(ids[start : start + _IDS_PER_QUERY]))
                .where(self._mine(runs))
                .order_by(table.c.run_id, table.c.position)
            )
            for row in db.execute(query).mappings():
                images.setdefault(int(row["run_id"]), []).append(image_from_row(row))
        return images

    # Votes

    def save_vote(self, vote: Vote) -> Vote:
        """Save a vote in its own transaction; return it with its new id. The runs it names must
        be this workspace's."""
        if vote.choice not in VOTE_CHOICES:
            raise HistoryError(
                f"A vote's choice is one of {', '.join(VOTE_CHOICES)}; not {vote.choice!r}."
            )
        named = {run_id for run_id in (vote.run_a_id, vote.run_b_id) if run_id is not None}
        with self._database.writing() as db:
            if named:
                found = set(
                    db.execute(
                        select(runs.c.id).where(runs.c.id.in_(named), self._mine(runs))
                    ).scalars()
                )
                missing = sorted(named - found)
                if missing:
                    raise HistoryError(
                        f"This vote names run {missing[0]}, which is not in the history."
                    )
            inserted = db.execute(
                insert(votes).values({**vote_values(vote), "workspace": self.workspace})
            )
        return replace(vote, id=_new_id(inserted))

    def votes(self, *, batch_id: str | None = None, tag: str | None = None) -> list[Vote]:
        """Votes oldest first (the leaderboard's input), optionally for one batch or tag."""
        query = select(votes.c.id, *(votes.c[name] for name in VOTE_COLUMNS)).where(
            self._mine(votes)
        )
        if batch_id:
            query = query.where(votes.c.batch_id == batch_id)
        if tag:
            query = query.where(votes.c.tag == tag)
        with self._database.reading() as db:
            rows = db.execute(query.order_by(votes.c.id)).mappings()
            return [vote_from_row(row) for row in rows]

    def delete_vote(self, vote_id: int) -> bool:
        """Delete a vote; False when there was no such vote."""
        with self._database.writing() as db:
            done = db.execute(delete(votes).where(votes.c.id == vote_id, self._mine(votes)))
            return done.rowcount > 0

    # Original image bytes, kept once per hash and workspace so a run can be reopened and sent
    # again.

    def save_image_bytes(self, sha256: str, data: bytes, *, mime: str | None = None) -> bool:
        """Keep an image's bytes under its hash (a no-op when already kept); False when the
        configured limits keep it out."""
        with self._database.writing() as db:
            return self._keep(db, sha256, data, mime=mime) is None

    def image_bytes(self, sha256: str) -> bytes | None:
        """The kept bytes of an image, or None when they were not kept."""
        query = select(image_blobs.c.data).where(
            image_blobs.c.sha256 == sha256, self._mine(image_blobs)
        )
        found = self._scalars(query)
        return bytes(found[0]) if found else None

    def kept_image_bytes(self) -> int:
        """The bytes of originals this workspace keeps (what VISION_MAX_WORKSPACE_IMAGE_BYTES
        limits)."""
        query = select(func.coalesce(func.sum(image_blobs.c.size), 0)).where(
            self._mine(image_blobs)
        )
        return int(self._scalars(query)[0])

    def _keep(self, db: Connection, sha256: str, data: bytes, *, mime: str | None) -> str | None:
        """Keep an original unless a limit says no; the reason it was not kept, else None."""
        size = len(data)
        limit = self.limits.max_image_bytes
        if size > limit:
            return (
                f"original not kept in the history: {human_size(size)} is over the "
                f"{human_size(limit)} limit ({MAX_IMAGE_BYTES_ENV})"
            )
        quota = self.limits.max_workspace_bytes
        if quota is not None:
            kept = db.execute(
                select(image_blobs.c.size).where(
                    image_blobs.c.sha256 == sha256, self._mine(image_blobs)
                )
            ).first()
            if kept is not None:
                return None
            used = int(
                db.execute(
                    select(func.coalesce(func.sum(image_blobs.c.size), 0)).where(
                        self._mine(image_blobs)
                    )
                ).scalar_one()
            )
            if used + size > quota:
                return (
                    f"original not kept in the history: this workspace keeps "
                    f"{human_size(used)} of originals and {human_size(size)} more would pass "
                    f"the {human_size(quota)} limit ({MAX_WORKSPACE_BYTES_ENV})"
                )
        self._insert_new(
            db,
            image_blobs,
            {
                "workspace": self.workspace,
                "sha256": sha256,
                "mime": mime,
                "size": size,
                "data": data,
                "created_at": timestamp(utc_now()),
            },
        )
        return None

    def _insert_new(self, db: Connection, table: Any, values: dict[str, Any]) -> None:
        """Insert a row unless its primary key is taken (the first one stays)."""
        dialect = postgresql if not self._database.is_sqlite else sqlite
        db.execute(dialect.insert(table).values(values).on_conflict_do_nothing())


def _filters(
    *,
    text: str | None,
    model: str | None,
    tag: str | None,
    kind: RunKind | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    """The conditions of a search (the workspace and deletions are added where it runs)."""
    where: list[ColumnElement[bool]] = []
    if text:
        # LIKE, not full-text search: it finds any substring, a page of results is indexed by
        # time, and it is the same on both engines (ILIKE on PostgreSQL).
        pattern = _like_pattern(text)
        named = [
            exists().where(table.c.run_id == runs.c.id, table.c.name.ilike(pattern, escape="\\"))
            for table in (run_images, run_sources)
        ]
        where.append(
            or_(
                runs.c.prompt.ilike(pattern, escape="\\"),
                runs.c.answer.ilike(pattern, escape="\\"),
                runs.c.item_name.ilike(pattern, escape="\\"),
                *named,
            )
        )
    for column, value in (("model", model), ("tag", tag), ("kind", kind)):
        if value:
            where.append(runs.c[column] == value)
    if since is not None:
        where.append(runs.c.created_at >= timestamp(since))
    if until is not None:
        where.append(runs.c.created_at < timestamp(until))
    return where


def _new_id(inserted: CursorResult[Any]) -> int:
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


def _noting(image: RunImage, unkept: Mapping[str, str]) -> RunImage:
    """The image with the reason its original was not kept added to its steps, if it was not."""
    if image.url:
        return image
    for sha in (image.source_sha256, image.sha256):
        if sha and sha in unkept:
            return replace(image, steps=(*image.steps, unkept[sha]))
    return image
