"""The history: every run and vote saved as soon as it completes, in a SQLite file (the default)
or a PostgreSQL database ($VISION_DATABASE_URL), one workspace per person."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Literal

from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from vision.errors import BlobStoreError, HistoryError
from vision.history import config
from vision.history.batches import BatchRecords
from vision.history.blobs.config import IN_DATABASE, blob_store_from_env
from vision.history.blobs.move import move_originals
from vision.history.blobs.store import BlobStore
from vision.history.chunks import ChunkRecords
from vision.history.config import (
    DATABASE_URL_ENV,
    HISTORY_PATH_ENV,
    LOCAL_WORKSPACE,
    ConnectionSettings,
    StoreLimits,
    check_workspace,
    default_history_path,
    resolve_url,
)
from vision.history.database import Database
from vision.history.judgements import JudgementRecords
from vision.history.kept_items import KeptItemRecords
from vision.history.migrate import current_revision, upgrade, version_number
from vision.history.originals import OriginalRecords
from vision.history.progress import ProgressRecords
from vision.history.rows import RUN_SELECT, new_id
from vision.history.schema import (
    image_values,
    run_from_row,
    run_values,
    timestamp,
)
from vision.history.tables import (
    batches,
    run_images,
    run_sources,
    runs,
)
from vision.history.votes import VoteRecords
from vision.values.batch import Originals
from vision.values.run import RUN_KINDS, Run, RunFilter, RunImage, utc_now

_LOG = logging.getLogger(__name__)

__all__ = [
    "DATABASE_URL_ENV",
    "HISTORY_PATH_ENV",
    "LOCAL_WORKSPACE",
    "HistoryStore",
    "default_history_path",
]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HistoryStore(
    BatchRecords,
    KeptItemRecords,
    JudgementRecords,
    ProgressRecords,
    ChunkRecords,
    VoteRecords,
    OriginalRecords,
):
    """A thread-safe store of one workspace's runs, images and votes.

    HistoryStore(path) opens that SQLite file; HistoryStore() opens $VISION_DATABASE_URL when it
    is set, else the default file; HistoryStore(url=...) opens a database URL. Opening creates
    or upgrades the schema. Every read and write is limited to `workspace` ("local" for the
    single-user app): no id or hash reaches another workspace's rows. The batch queue is the one
    exception: a worker claims any workspace's chunk, and runs it through for_workspace.

    Kept originals go to `blobs`: by default the store $VISION_BLOB_URL names, else a folder
    beside the SQLite file, else (a server) the database's rows; "database" keeps them in the
    rows. Opening moves any original still in the rows to a blob store (move_originals=False
    leaves them there, still readable, for a later open).
    """

    path: Path | None
    workspace: str
    limits: StoreLimits
    blobs: BlobStore | None

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        url: str | None = None,
        workspace: str = LOCAL_WORKSPACE,
        limits: StoreLimits | None = None,
        settings: ConnectionSettings | None = None,
        blobs: BlobStore | Literal["database"] | None = None,
        move_originals: bool = True,
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
            chosen = blobs if blobs is not None else blob_store_from_env(self.path)
            self.blobs = None if chosen == IN_DATABASE else chosen
            upgrade(self._database)
            if move_originals:
                self._move_originals()
        except BaseException:
            self._database.close()
            raise

    def _move_originals(self) -> None:
        """Move originals kept in the database's rows to the blob store; a failure is logged
        and the history opens all the same (those originals are read from the rows meanwhile)."""
        if self.blobs is None:
            return
        try:
            move_originals(self._database, self.blobs)
        except BlobStoreError as err:
            _LOG.warning("Kept originals stay in the history database for now: %s", err)

    def for_workspace(self, workspace: str) -> HistoryStore:
        """The same database seen as another workspace (sharing this store's connections;
        closing it leaves them open for this store)."""
        view = object.__new__(HistoryStore)
        view.workspace = check_workspace(workspace)
        view.limits = self.limits
        view.blobs = self.blobs
        view.path = self.path
        view._database = self._database
        view._owner = False
        return view

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
            if self.blobs is not None:
                self.blobs.close()

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

    # Runs

    def save_run(self, run: Run, *, originals: Originals | None = None) -> Run:
        """Save a run, its images and the originals they came from (by hash, so that the run
        can be reopened and rerun) in one transaction; return it with its new id. Bytes are
        copied to the blob store first; an ImageFile is kept as its path, and read (and
        checked against its hash) when the run is reopened. An original over the configured
        limits is not kept, and its image's steps say so."""
        if run.kind not in RUN_KINDS:
            raise HistoryError(f"A run's kind is one of {', '.join(RUN_KINDS)}; not {run.kind!r}.")
        staged = self._stage(originals or {})
        with self._database.writing() as db:
            unkept = {**staged.unkept, **self._record(db, staged)}
            images = tuple(_noting(image, unkept) for image in run.images)
            inserted = db.execute(
                insert(runs).values({**run_values(run), "workspace": self.workspace})
            )
            run_id = new_id(inserted)
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
        found = self._runs(select(*RUN_SELECT).where(runs.c.id == run_id))
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
        self, where: RunFilter | None = None, *, limit: int = 200, offset: int = 0
    ) -> list[Run]:
        """Runs newest first, those the filter finds (every run without one)."""
        query = (
            select(*RUN_SELECT)
            .where(*_conditions(where or RunFilter()))
            .order_by(runs.c.created_at.desc(), runs.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return self._runs(query)

    def count_runs(self, where: RunFilter | None = None) -> int:
        """How many runs search_runs would find with this filter and no limit."""
        conditions = _conditions(where or RunFilter())
        query = select(func.count()).select_from(runs).where(*conditions, *self._visible())
        return int(self._scalars(query)[0])

    def batch_runs(
        self, batch_id: str, *, images: bool = True, thumbnails: bool = True
    ) -> list[Run]:
        """Every run of a batch, in the order they completed: without their images when
        images=False (text scores need none, and reading them takes several times as long),
        or with image records but no thumbnails when thumbnails=False (grounding scores map
        boxes through the sizes; a large batch's thumbnails add up)."""
        query = select(*RUN_SELECT).where(runs.c.batch_id == batch_id).order_by(runs.c.id)
        if images and thumbnails:
            return self._runs(query)
        with self._database.reading() as db:
            rows = list(db.execute(query.where(*self._visible())).mappings())
            ids = [int(row["id"]) for row in rows] if images else []
            sent = self._images(db, run_images, ids, thumbnails=False)
        return [run_from_row(row, tuple(sent.get(int(row["id"]), ()))) for row in rows]

    def conversation_runs(self, conversation_id: str, *, model: str | None = None) -> list[Run]:
        """The turns of a conversation in order, optionally for one model only."""
        query = select(*RUN_SELECT).where(runs.c.conversation_id == conversation_id)
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


def _conditions(where: RunFilter) -> list[ColumnElement[bool]]:
    """The conditions of a search (the workspace and deletions are added where it runs)."""
    found: list[ColumnElement[bool]] = []
    if where.text:
        # LIKE, not full-text search: it finds any substring, a page of results is indexed by
        # time, and it is the same on both engines (ILIKE on PostgreSQL).
        pattern = _like_pattern(where.text)
        named = [
            exists().where(table.c.run_id == runs.c.id, table.c.name.ilike(pattern, escape="\\"))
            for table in (run_images, run_sources)
        ]
        found.append(
            or_(
                runs.c.prompt.ilike(pattern, escape="\\"),
                runs.c.answer.ilike(pattern, escape="\\"),
                runs.c.item_name.ilike(pattern, escape="\\"),
                *named,
            )
        )
    for column, value in (("model", where.model), ("tag", where.tag), ("kind", where.kind)):
        if value:
            found.append(runs.c[column] == value)
    if where.since is not None:
        found.append(runs.c.created_at >= timestamp(where.since))
    if where.until is not None:
        found.append(runs.c.created_at < timestamp(where.until))
    return found


def _noting(image: RunImage, unkept: Mapping[str, str]) -> RunImage:
    """The image with the reason its original was not kept added to its steps, if it was not."""
    if image.url:
        return image
    for sha in (image.source_sha256, image.sha256):
        if sha and sha in unkept:
            return replace(image, steps=(*image.steps, unkept[sha]))
    return image
