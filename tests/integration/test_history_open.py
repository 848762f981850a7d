"""Opening the store: a database at the newest revision is read with one query and a new one is
created from tables.py, neither loading Alembic; only an older database runs the revisions, and
a new database has exactly the schema the revisions build, on both engines."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from tests.support.stores import HistoryDatabase
from vision.history.config import ConnectionSettings, database_url
from vision.history.database import Database
from vision.history.migrate import alembic_config, head_revision, known_revisions
from vision.history.schema import SCHEMA_VERSION
from vision.history.store import HistoryStore
from vision.history.tables import metadata

ROOT = Path(__file__).resolve().parents[2]


def test_the_revisions_read_from_the_folder_are_alembics_chain():
    scripts = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}
    assert int(head_revision()) == SCHEMA_VERSION


def _opened_without_alembic(path: Path) -> bool:
    """Open the store on `path` in a new interpreter; True when Alembic was never imported."""
    code = (
        "import sys; from vision.history.store import HistoryStore; "
        f"HistoryStore({str(path)!r}).close(); print('alembic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip() == "False"


def test_a_new_file_and_a_current_one_open_without_loading_alembic(tmp_path):
    path = tmp_path / "history.sqlite3"
    assert _opened_without_alembic(path)  # new: created from tables.py
    assert _opened_without_alembic(path)  # current: one query
    with HistoryStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION


@pytest.fixture
def migrated_db(history_db: HistoryDatabase, request: pytest.FixtureRequest, tmp_path: Path):
    """A second empty database on the same engine, brought to the newest schema by running
    every revision from the first, as Alembic does for a database older than tables.py."""
    if history_db.engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        name = None
    else:
        server = request.getfixturevalue("postgres_server")
        name = server.create_database()
        url = server.url(name)
    database = Database(database_url(url), ConnectionSettings())
    try:
        with database.writing() as connection:
            command.upgrade(alembic_config(connection), "head")
    finally:
        database.close()
    try:
        yield HistoryDatabase(history_db.engine, url)
    finally:
        if name is not None:
            server.drop_database(name)


def _schema(url: str) -> Iterator[str]:
    """Every table, column, key, index and check of a database, one fact per line, as
    SQLAlchemy's inspector reads them, with the recorded revision."""
    engine = create_engine(database_url(url))
    try:
        inspector = inspect(engine)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                yield (
                    f"{table}.{column['name']} {column['type']!r} "
                    f"nullable={column['nullable']} default={column['default']}"
                )
            key = inspector.get_pk_constraint(table)
            yield f"{table} primary key {key['name']} {key['constrained_columns']}"
            for foreign in inspector.get_foreign_keys(table):
                yield (
                    f"{table} {foreign['constrained_columns']} -> {foreign['referred_table']}"
                    f"{foreign['referred_columns']} {foreign['options']}"
                )
            for index in inspector.get_indexes(table):
                dialect = index.get("dialect_options", {})
                options = {key: str(value) for key, value in dialect.items()}
                yield (
                    f"{table} index {index['name']} {index['column_names']} "
                    f"unique={index['unique']} {sorted(options.items())}"
                )
            for check in inspector.get_check_constraints(table):
                yield f"{table} check {check['name']} {check['sqltext']}"
            for unique in inspector.get_unique_constraints(table):
                yield f"{table} unique {unique['name']} {unique['column_names']}"
        with engine.connect() as connection:
            yield f"revision {MigrationContext.configure(connection).get_current_revision()}"
            if engine.dialect.name == "sqlite":
                yield f"user_version {connection.exec_driver_sql('PRAGMA user_version').scalar()}"
    finally:
        engine.dispose()


def test_a_new_database_has_exactly_the_schema_the_revisions_build(history_db, migrated_db):
    history_db.open().close()
    new, migrated = set(_schema(history_db.url)), set(_schema(migrated_db.url))
    assert new == migrated
    assert f"revision {head_revision()}" in new
    assert any(".workspace " in fact for fact in new)
    # And both are the tables the store queries.
    engine = create_engine(database_url(migrated_db.url))
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    finally:
        engine.dispose()


def test_a_database_the_revisions_built_opens_as_it_is(migrated_db):
    with migrated_db.open() as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.search_runs() == []
