"""Bringing a history database to the newest schema when the store opens.

A database already at the newest revision is recognised by one query, and a new (empty) one is
created from tables.py and stamped with the newest revision, as Alembic's "Building an Up to Date
Database from Scratch" recipe does; neither imports Alembic. Only a database at an older revision
runs Alembic's revisions in migrations/versions/, programmatically on the store's own connection
(no alembic.ini).

A SQLite file written before Alembic (schema version 1: PRAGMA user_version = 1, no
alembic_version table) is stamped at revision 0001 and upgraded from there, in place. A database
that a newer app has migrated further is refused, never touched.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, text
from sqlalchemy.engine import Connection

from vision.errors import HistoryError
from vision.history.config import DATABASE_URL_ENV, HISTORY_PATH_ENV
from vision.history.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The revision a pre-Alembic file is at: its user_version, as a revision id.
_PRE_ALEMBIC = "0001"
# Replicas that open one PostgreSQL database at once migrate it one after the other.
_MIGRATION_LOCK_KEY = 0x76_69_73_69
# Alembic's own version table, as Alembic makes it (alembic/ddl/impl.py version_table_impl), so
# that Alembic reads and moves a revision stamped here like one it wrote.
VERSION_TABLE = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the store's migrations, on this connection when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _revisions() -> tuple[str, ...]:
    # A revision's id is its file's number (0006_batch_chunks.py is 0006), so the folder lists
    # them without importing Alembic; a test checks that Alembic sees the same chain.
    names = (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    return tuple(sorted(path.name[:4] for path in names))


def head_revision() -> str:
    """The newest revision this app knows."""
    return _revisions()[-1]


def known_revisions() -> set[str]:
    """Every revision this app knows."""
    return set(_revisions())


def version_number(revision: str | None) -> int:
    """The schema version a revision stands for (0 for an empty database)."""
    return int(revision) if revision else 0


def _has_table(connection: Connection, name: str) -> bool:
    if connection.dialect.name == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"
    else:
        # The catalog read as a table, in this statement's snapshot: to_regclass() could miss a
        # table that a replica created while this one waited for the migration lock.
        query = (
            "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relname = :name AND n.nspname = current_schema() "
            "AND c.relkind IN ('r', 'p')"
        )
    return connection.execute(text(query), {"name": name}).first() is not None


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database (None when it has none)."""
    if not _has_table(connection, VERSION_TABLE.name):
        return None
    found = sorted(connection.execute(VERSION_TABLE.select()).scalars())
    # Our revisions are one chain, so there is one row; several are not ours to read.
    return "+".join(found) or None


def _newer(database: Database, found: str) -> HistoryError:
    ours = version_number(head_revision())
    what = f"schema {found}, this app reads up to {ours}"
    if database.is_sqlite:
        return HistoryError(
            f"The history file {database.location} was written by a newer version of Vision "
            f"Playground ({what}); upgrade the app, or move it aside or set {HISTORY_PATH_ENV} "
            "to another file."
        )
    return HistoryError(
        f"The history database {database.location} was migrated by a newer version of Vision "
        f"Playground ({what}); upgrade the app, or set {DATABASE_URL_ENV} to another database."
    )


def _foreign(database: Database) -> HistoryError:
    advice = (
        f"move it aside or set {HISTORY_PATH_ENV} to another file"
        if database.is_sqlite
        else f"set {DATABASE_URL_ENV} to a database of its own"
    )
    return HistoryError(
        f"The history database {database.location} has a runs table that Vision Playground "
        f"did not make (no schema version is recorded); {advice}."
    )


def _state(connection: Connection, database: Database) -> str | None:
    """The revision the database is at, counting a pre-Alembic file as 0001; None when empty."""
    revision = current_revision(connection)
    if revision is not None:
        if revision not in known_revisions():
            raise _newer(database, revision)
        return revision
    if database.is_sqlite:
        user_version = int(connection.exec_driver_sql("PRAGMA user_version").scalar_one())
        if user_version > version_number(_PRE_ALEMBIC):
            raise _newer(database, str(user_version))
        if user_version == version_number(_PRE_ALEMBIC):
            return _PRE_ALEMBIC
    if _has_table(connection, "runs"):
        raise _foreign(database)
    return None


def _create_newest(connection: Connection, database: Database) -> None:
    """An empty database gets tables.py's tables (which the revisions build exactly, as a test
    checks on both engines) and the newest revision, without running each revision."""
    from vision.history.tables import metadata

    head = head_revision()
    # No checkfirst: a table of that name that is not ours fails the transaction instead of
    # being taken as ours.
    metadata.create_all(connection, checkfirst=False)
    VERSION_TABLE.create(connection)
    connection.execute(VERSION_TABLE.insert().values(version_num=head))
    if database.is_sqlite:
        # As every revision does: an app from before version 2 refuses a newer file.
        connection.exec_driver_sql(f"PRAGMA user_version = {version_number(head)}")


def _migrate(connection: Connection, state: str) -> None:
    """Run every revision after `state` (Alembic is imported only here)."""
    from alembic import command

    config = alembic_config(connection)
    if state == _PRE_ALEMBIC and current_revision(connection) is None:
        command.stamp(config, _PRE_ALEMBIC)
    command.upgrade(config, "head")


def upgrade(database: Database) -> None:
    """Bring the database to the newest schema in one transaction (a failure changes nothing)."""
    head = head_revision()
    with database.reading() as connection:
        if _state(connection, database) == head:
            return  # the usual case: no write lock needed
    with database.writing() as connection:
        if not database.is_sqlite:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        # Looked at again under the lock: another process may have migrated meanwhile.
        state = _state(connection, database)
        if state == head:
            return
        if state is None:
            _create_newest(connection, database)
        else:
            _migrate(connection, state)
