"""What only the embedded engine does: one SQLite file in WAL mode, one writer at a time, and a
sentence for a file that cannot be used (locked, not a database, from a newer app)."""

from __future__ import annotations

import sqlite3
import stat
import sys
import threading

import pytest

from vision.errors import HistoryError
from vision.history.config import ConnectionSettings
from vision.history.schema import SCHEMA_VERSION
from vision.history.store import HistoryStore
from vision.values.run import Run, Vote

SENTINEL_KEY = "sk-SENTINEL-never-store-me-0123456789"


def make_run(**fields: object) -> Run:
    return Run(**{"prompt": "What is in this image?", "model": "m1", **fields})  # type: ignore[arg-type]


def test_the_file_is_in_wal_mode_and_its_user_version_is_the_schema_version(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        assert store.engine_name == "sqlite"
        db = sqlite3.connect(store.path)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        db.close()


def test_a_file_from_a_newer_app_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(HistoryError, match=r"newer version .* move it aside"):
        HistoryStore(path)


def test_a_file_that_is_not_a_database_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match="VISION_HISTORY_PATH") as caught:
        HistoryStore(path)
    assert str(path) in str(caught.value)
    assert "[SQL:" not in str(caught.value)


def test_a_file_with_a_runs_table_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (x)")
    db.close()
    with pytest.raises(HistoryError, match="did not make"):
        HistoryStore(path)


def test_opening_creates_missing_directories(tmp_path):
    with HistoryStore(tmp_path / "a" / "b" / "h.sqlite3") as store:
        assert store.save_run(make_run()).id == 1


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows keeps no owner, group and other permission bits"
)
def test_a_fresh_history_and_its_folder_are_readable_by_their_owner_only(tmp_path):
    # Prompts, answers and original images: nobody else on the machine may read them, as
    # with the calibration file beside them.
    path = tmp_path / "new-folder" / "history.sqlite3"
    with HistoryStore(path) as store:
        store.save_run(make_run(answer="kept"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        wal = path.with_name(path.name + "-wal")
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    # An existing file keeps the mode its owner gave it.
    path.chmod(0o640)
    with HistoryStore(path) as store:
        assert [run.answer for run in store.search_runs()] == ["kept"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_file_another_program_keeps_locked_gives_a_sentence_and_loses_nothing(tmp_path):
    path = tmp_path / "h.sqlite3"
    quick = ConnectionSettings(busy_timeout_ms=200)
    with HistoryStore(path, settings=quick) as store:
        store.save_run(make_run(answer="before"))
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            # Reading goes on while another program writes (WAL); writing waits, then says so.
            assert [run.answer for run in store.search_runs()] == ["before"]
            with pytest.raises(HistoryError, match="is locked by another program") as caught:
                store.save_run(make_run(answer="during"))
            assert "0.2 s" in str(caught.value)
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.save_run(make_run(answer="after"))
        assert [run.answer for run in store.search_runs()] == ["after", "before"]


def test_a_second_process_store_waits_for_the_writer_instead_of_failing(tmp_path):
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as first, HistoryStore(path) as second:
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
        release.start()
        try:
            second.save_run(make_run(answer="waited"))
        finally:
            release.join()
            other.close()
        assert [run.answer for run in first.search_runs()] == ["waited"]


def test_the_key_is_never_written_to_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", SENTINEL_KEY)
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        store.save_run(make_run())
        store.save_vote(Vote(model_a="m1", model_b="m2", choice="b"))
    for file in tmp_path.iterdir():
        assert SENTINEL_KEY.encode() not in file.read_bytes()
