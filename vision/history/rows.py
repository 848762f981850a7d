"""What every part of the history store stands on: one workspace's rows in one database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.elements import ColumnElement

from vision.history.config import (
    StoreLimits,
)
from vision.history.database import Database
from vision.history.schema import (
    RUN_COLUMNS,
    image_from_row,
    run_from_row,
)
from vision.history.tables import (
    run_images,
    run_sources,
    runs,
)
from vision.values.run import Run, RunImage

# Run ids per query when reading their images (well under both engines' parameter limits).
IDS_PER_QUERY = 500
RUN_SELECT = (runs.c.id, *(runs.c[column] for column in RUN_COLUMNS))


def new_id(inserted: CursorResult[Any]) -> int:
    """The primary key an INSERT just gave its row."""
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


class WorkspaceRows:
    """One workspace's view of the history database: the queries every part of the store uses."""

    path: Path | None
    workspace: str
    limits: StoreLimits
    _database: Database

    def _mine(self, table: Any) -> ColumnElement[bool]:
        return table.c.workspace == self.workspace  # type: ignore[no-any-return]

    def _visible(self) -> tuple[ColumnElement[bool], ...]:
        """This workspace's runs that are not deleted."""
        return (self._mine(runs), runs.c.deleted_at.is_(None))

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

    def _images(
        self, db: Connection, table: Table, ids: list[int], *, thumbnails: bool = True
    ) -> dict[int, list[RunImage]]:
        images: dict[int, list[RunImage]] = {}
        columns = [column for column in table.c if thumbnails or column.name != "thumbnail"]
        for start in range(0, len(ids), IDS_PER_QUERY):
            query = (
                select(*columns)
                .join(runs, runs.c.id == table.c.run_id)
                .where(table.c.run_id.in_(ids[start : start + IDS_PER_QUERY]))
                .where(self._mine(runs))
                .order_by(table.c.run_id, table.c.position)
            )
            for row in db.execute(query).mappings():
                images.setdefault(int(row["run_id"]), []).append(image_from_row(row))
        return images

    def _insert_new(self, db: Connection, table: Any, values: dict[str, Any]) -> None:
        """Insert a row unless its primary key is taken (the first one stays)."""
        dialect = postgresql if not self._database.is_sqlite else sqlite
        db.execute(dialect.insert(table).values(values).on_conflict_do_nothing())
