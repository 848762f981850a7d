"""The store tests' database: a SQLite file or a PostgreSQL database, opened as the app would
open it (a URL), with a side door for the few tests that look at rows the store hides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from vision.history.config import database_url
from vision.history.store import HistoryStore

ENGINES = ("sqlite", "postgresql")
BLOB_BACKENDS = ("folder", "s3")


@dataclass(frozen=True)
class HistoryDatabase:
    """One engine's empty history database for one test."""

    engine: str
    url: str

    def open(self, **options: Any) -> HistoryStore:
        """A store on this database (options as HistoryStore takes them: workspace, limits)."""
        return HistoryStore(url=self.url, **options)

    def rows(self, query: str, **params: Any) -> list[tuple[Any, ...]]:
        """The rows of a query run directly on the database, around the store."""
        engine = create_engine(database_url(self.url))
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(query), params)]
        finally:
            engine.dispose()

    def execute(self, statement: str, **params: Any) -> None:
        """Run a statement directly on the database and commit it."""
        engine = create_engine(database_url(self.url))
        try:
            with engine.begin() as connection:
                connection.execute(text(statement), params)
        finally:
            engine.dispose()
