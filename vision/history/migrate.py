"""Bringing a history database to the newest schema when the store opens: Alembic's revisions
in migrations/versions/, run programmatically on the store's own connection (no alembic.ini).

A SQLite file written before Alembic (schema version 1: PRAGMA user_version = 1, no
alembic_version table) is stamped at revision 0001 and upgraded from there, in place. A database
that a newer app has migrated further is refused, never touched.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from vision.errors import HistoryError
from vision.history.config import DATABASE_URL_ENV, HISTORY_PATH_ENV
from vision.history.database import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The revision a pre-Alembic file is at: its user_version, as a revision id.
_PRE_ALEMBIC = "0001"
# Replicas that open one PostgreSQL database at once migrate it one after the other.
_MIGRATION_LOCK_KEY = 0x76_69_73_69


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the store's migrations, on this connection when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this app knows."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision this app knows."""
    return {script.revision for script in _scripts().walk_revisions()}


def version_number(revision: str | None) -> int:
    """The schema version a revision stands for (0 for an empty database)."""
    return int(revision) if revision else 0


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database (None when it has none)."""
    return MigrationContext.configure(connection).get_current_revision()


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
    if inspect(connection).has_table("runs"):
        raise _foreign(database)
    return None


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
        config = alembic_config(connection)
        if state == _PRE_ALEMBIC and current_revision(connection) is None:
            command.stamp(config, _PRE_ALEMBIC)
        command.upgrade(config, "head")
