"""Choosing the engine and connecting to it: VISION_DATABASE_URL, the pool, the migrations on
both engines (the schema they build: test_history_open.py), several processes on one PostgreSQL
database, and a password that is never shown."""

from __future__ import annotations

import logging
import threading

import pytest

from tests.support.postgres import PostgresServer
from tests.support.stores import HistoryDatabase
from vision.errors import HistoryError
from vision.history.config import ConnectionSettings, database_url, resolve_url
from vision.history.schema import SCHEMA_VERSION
from vision.history.store import HistoryStore
from vision.values.run import Run


def make_run(**fields: object) -> Run:
    return Run(**{"prompt": "What is in this image?", "model": "m1", **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u:p@db.internal/history", "postgresql+psycopg"),
        ("postgres://u:p@db.internal:5433/history", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db.internal/history", "postgresql+psycopg"),
        ("sqlite:////var/lib/vision/history.sqlite3", "sqlite+pysqlite"),
    ],
)
def test_database_urls_name_postgresql_through_psycopg_or_a_sqlite_file(given, driver):
    assert database_url(given).drivername == driver


@pytest.mark.parametrize(
    "given",
    [
        "mysql://admin:hunter2-secret@db/history",
        "postgresql+psycopg2://admin:hunter2-secret@db/history",
        "sqlite://",
        "not a url hunter2-secret",
    ],
)
def test_other_urls_are_refused_with_a_sentence_that_hides_the_password(given):
    with pytest.raises(HistoryError, match="VISION_DATABASE_URL") as caught:
        database_url(given)
    assert "hunter2-secret" not in str(caught.value)


def test_the_environment_chooses_the_database_and_an_explicit_path_wins(tmp_path, monkeypatch):
    assert resolve_url(None, {}).database.endswith("vision-playground/history.sqlite3")
    env = {"VISION_DATABASE_URL": "postgresql://u:p@h/db", "VISION_HISTORY_PATH": "/x.db"}
    assert resolve_url(None, env).drivername == "postgresql+psycopg"
    assert resolve_url(tmp_path / "mine.db", env).database == str(tmp_path / "mine.db")
    monkeypatch.setenv("VISION_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.sqlite3'}")
    with HistoryStore() as store:
        store.save_run(make_run())
    assert (tmp_path / "from-env.sqlite3").exists()


def test_the_store_opens_vision_database_url_on_either_engine(history_db, monkeypatch):
    monkeypatch.setenv("VISION_DATABASE_URL", history_db.url)
    with HistoryStore() as store:
        assert store.engine_name == history_db.engine
        saved = store.save_run(make_run())
    with history_db.open() as again:
        assert again.get_run(saved.id) == saved


def test_connection_settings_come_from_the_environment():
    assert ConnectionSettings.from_env({}) == ConnectionSettings()
    settings = ConnectionSettings.from_env(
        {"VISION_DATABASE_POOL_SIZE": "12", "VISION_DATABASE_CONNECT_TIMEOUT": "3"}
    )
    assert (settings.pool_size, settings.connect_timeout_s) == (12, 3)
    with pytest.raises(HistoryError, match="VISION_DATABASE_POOL_SIZE must be a whole number"):
        ConnectionSettings.from_env({"VISION_DATABASE_POOL_SIZE": "0"})


# PostgreSQL only: a real server's pool, replicas and passwords.


@pytest.fixture
def postgres_db(postgres_server: PostgresServer):
    name = postgres_server.create_database()
    try:
        yield HistoryDatabase("postgresql", postgres_server.url(name))
    finally:
        postgres_server.drop_database(name)


def test_two_processes_on_one_database_see_each_others_runs_at_once(postgres_db):
    with postgres_db.open() as one, postgres_db.open() as two:
        saved = one.save_run(make_run(kind="batch_item", batch_id="b1"))
        assert two.get_run(saved.id) == saved
        assert two.batch_ids() == ["b1"]
        assert two.delete_run(saved.id)
        assert one.get_run(saved.id) is None


def test_replicas_opening_a_new_database_at_once_migrate_it_once(postgres_db):
    opened: list[HistoryStore] = []
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        start.wait()
        try:
            opened.append(postgres_db.open())
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in opened:
        store.close()
    assert failures == []
    assert len(opened) == 4
    newest = f"{SCHEMA_VERSION:04d}"
    assert postgres_db.rows("SELECT version_num FROM alembic_version") == [(newest,)]


def test_the_pool_is_as_large_as_configured_and_serves_many_threads(postgres_db, monkeypatch):
    monkeypatch.setenv("VISION_DATABASE_POOL_SIZE", "2")
    with postgres_db.open() as store:
        assert store._database.engine.pool.size() == 2  # type: ignore[attr-defined]

        def save_many(thread: int) -> None:
            for index in range(10):
                store.save_run(make_run(answer=f"{thread}-{index}"))

        threads = [threading.Thread(target=save_many, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(store.search_runs(limit=1000)) == 60


def test_a_wrong_password_is_a_sentence_that_never_shows_either_password(
    postgres_server, postgres_db, caplog
):
    caplog.set_level(logging.DEBUG)
    good = postgres_server.password
    wrong = "Wrong-Secret-7f3a9c"
    bad_url = postgres_db.url.replace(good, wrong)
    with pytest.raises(HistoryError, match="cannot be used") as caught:
        HistoryStore(url=bad_url)
    message = str(caught.value)
    assert "password authentication failed" in message
    assert "VISION_DATABASE_URL" in message
    assert "vision:***@127.0.0.1" in message
    with postgres_db.open() as store:
        store.save_run(make_run())
        shown = f"{store!r} {store.location}"
    for text in (message, shown, caplog.text):
        assert wrong not in text
        assert good not in text


def test_an_unreachable_server_is_a_sentence_within_the_connect_timeout(postgres_server):
    url = postgres_server.url("history").replace(f":{postgres_server.port}/", ":1/")
    with pytest.raises(HistoryError, match="check VISION_DATABASE_URL") as caught:
        HistoryStore(url=url, settings=ConnectionSettings(connect_timeout_s=2))
    assert postgres_server.password not in str(caught.value)
    assert "[SQL:" not in str(caught.value)
