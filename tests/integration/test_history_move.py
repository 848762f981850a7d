"""A history written before blob stores (schema 9, its originals' bytes in image_blobs rows)
moves them out when it opens, on both engines and both blob stores: every original comes back
byte for byte, the rows hold none, the move goes in batches with progress, and a move cut short
loses nothing and goes on at the next open."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from tests.support.old_history import OldOriginal, photos, write_old_history
from vision.history.blobs.folder import FolderBlobStore
from vision.history.blobs.move import MoveProgress, left_in_database, move_originals
from vision.history.blobs.store import BlobStore
from vision.history.replay import rebuild_request, reopen
from vision.history.schema import SCHEMA_VERSION

PER_WORKSPACE = 12


@pytest.fixture
def old_history(history_db) -> list[OldOriginal]:
    """Two workspaces' batches of photos, as the app before blob stores kept them."""
    return write_old_history(
        history_db.url, {"local": photos(PER_WORKSPACE), "oidc-alice": photos(PER_WORKSPACE)[::-1]}
    )


def bytes_in_rows(history_db) -> int:
    return int(history_db.rows("SELECT COALESCE(SUM(length(data)), 0) FROM image_blobs")[0][0])


def test_every_original_moves_out_and_comes_back_byte_for_byte(
    history_db, old_history: list[OldOriginal], blob_store: BlobStore, tmp_path: Path
):
    assert bytes_in_rows(history_db) == sum(len(kept.data) for kept in old_history)
    file = tmp_path / "history.sqlite3"
    size_before = file.stat().st_size if history_db.engine == "sqlite" else 0
    with history_db.open(blobs=blob_store) as store:
        assert store.schema_version == SCHEMA_VERSION
        for kept in old_history:
            view = store.for_workspace(kept.workspace)
            assert view.image_bytes(kept.sha256) == kept.data
            assert blob_store.get(kept.workspace, kept.sha256) == kept.data
            run = view.get_run(kept.run_id)
            assert run is not None
            assert reopen(view, run).images[0].data == kept.data
        assert len(rebuild_request(run, view).images) == 1
        assert store.kept_image_bytes() == sum(
            len(kept.data) for kept in old_history if kept.workspace == "local"
        )
    assert bytes_in_rows(history_db) == 0
    assert history_db.rows("SELECT DISTINCT stored_in FROM image_blobs") == [("blob_store",)]
    if history_db.engine == "sqlite":
        # Vacuumed: the file gave back the space the bytes took.
        moved = sum(len(kept.data) for kept in old_history)
        assert file.stat().st_size < size_before - moved // 2


def test_the_move_goes_in_batches_and_reports_its_progress(
    history_db, old_history: list[OldOriginal], tmp_path: Path
):
    blobs = FolderBlobStore(tmp_path / "blobs")
    with history_db.open(blobs=blobs, move_originals=False) as store:
        total = len(old_history)
        total_bytes = sum(len(kept.data) for kept in old_history)
        assert left_in_database(store._database) == (total, total_bytes)
        # Not moved yet: still read from the rows.
        assert store.image_bytes(old_history[0].sha256) == old_history[0].data
        seen: list[MoveProgress] = []
        done = move_originals(store._database, blobs, rows_per_batch=5, on_progress=seen.append)
        assert [progress.moved for progress in seen] == [5, 10, 15, 20, 24]
        assert seen[-1] == done
        assert (done.total, done.moved_bytes, done.total_bytes) == (total, total_bytes, total_bytes)
        assert done.line.startswith(f"Moved {total} of {total} kept originals (")
        assert left_in_database(store._database) == (0, 0)
        # Nothing left: a second move finds nothing to do.
        assert move_originals(store._database, blobs).total == 0


def test_a_move_cut_short_loses_nothing_and_goes_on_at_the_next_open(
    history_db, old_history: list[OldOriginal], tmp_path: Path, caplog
):
    blobs = FolderBlobStore(tmp_path / "blobs")
    ordered = sorted(old_history, key=lambda kept: (kept.workspace, kept.sha256))
    blocked = ordered[7]
    blobs.path(blocked.workspace, blocked.sha256).mkdir(parents=True)  # this one cannot be written
    with caplog.at_level(logging.WARNING), history_db.open(blobs=blobs) as store:
        assert "Kept originals stay in the history database for now: The originals folder" in (
            caplog.text
        )
        left, _ = left_in_database(store._database)
        assert 0 < left < len(old_history)
        for kept in old_history:  # every one readable, moved or not
            assert store.for_workspace(kept.workspace).image_bytes(kept.sha256) == kept.data
    blobs.path(blocked.workspace, blocked.sha256).rmdir()
    with history_db.open(blobs=blobs) as store:
        assert left_in_database(store._database) == (0, 0)
        for kept in old_history:
            assert store.for_workspace(kept.workspace).image_bytes(kept.sha256) == kept.data
    assert bytes_in_rows(history_db) == 0


def test_the_migration_itself_moves_no_bytes(history_db, old_history: list[OldOriginal]):
    # Opened without the move: the newest schema, and every byte still where it was, readable.
    with history_db.open(blobs="database") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.image_bytes(old_history[0].sha256) == old_history[0].data
    assert bytes_in_rows(history_db) == sum(len(kept.data) for kept in old_history)
    if history_db.engine == "sqlite":
        db = sqlite3.connect(history_db.url.removeprefix("sqlite:///"))
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        db.close()
