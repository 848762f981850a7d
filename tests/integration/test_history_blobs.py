"""Kept originals in a blob store, on both engines and both blob stores: their bytes leave the
database, the rows keep hash, size and workspace and decide who reads what, and a blob store
that fails costs the original, never the answer."""

from __future__ import annotations

import hashlib
import stat

import pytest

from tests.support.images import make_photo
from tests.support.s3 import S3Server
from vision.errors import HistoryError
from vision.history.blobs.folder import FolderBlobStore
from vision.history.blobs.s3 import S3BlobStore
from vision.history.blobs.store import BlobStore
from vision.history.replay import rebuild_request, reopen
from vision.history.store import HistoryStore
from vision.team.records import TeamRecords
from vision.values.run import Run, RunImage

PHOTO = make_photo((320, 240))
SHA = hashlib.sha256(PHOTO).hexdigest()


def photo_run(sha: str = SHA, **fields: object) -> Run:
    image = RunImage(sha256=f"sent-{sha[:8]}", source_sha256=sha, name="cat.jpg")
    return Run(prompt="What is it?", model="m1", answer="A cat.", images=(image,), **fields)  # type: ignore[arg-type]


def blob_rows(history_db) -> list[tuple[object, ...]]:
    return history_db.rows(
        "SELECT workspace, sha256, size, length(data), stored_in, path FROM image_blobs "
        "ORDER BY workspace, sha256"
    )


def test_an_original_lives_in_the_blob_store_and_its_row_holds_no_bytes(
    history_db, blob_store: BlobStore
):
    with history_db.open(workspace="alice", blobs=blob_store) as alice:
        saved = alice.save_run(photo_run(), originals={SHA: PHOTO})
        assert blob_rows(history_db) == [("alice", SHA, len(PHOTO), 0, "blob_store", None)]
        assert blob_store.get("alice", SHA) == PHOTO
        assert alice.image_bytes(SHA) == PHOTO
        assert alice.kept_image_bytes() == len(PHOTO)
        request = rebuild_request(saved, alice)
        assert len(request.images) == 1
        # Kept again: nothing more is written or counted.
        alice.save_run(photo_run(), originals={SHA: PHOTO})
        assert alice.save_image_bytes(SHA, PHOTO)
        assert alice.kept_image_bytes() == len(PHOTO)


def test_only_the_workspaces_rows_open_its_blobs(history_db, blob_store: BlobStore):
    with history_db.open(workspace="alice", blobs=blob_store) as alice:
        alice.save_run(photo_run(), originals={SHA: PHOTO})
        bob = alice.for_workspace("bob")
        # Bob knows the hash, and the bytes are in the store: he still reads nothing.
        assert bob.image_bytes(SHA) is None
        assert bob.original(SHA).problem is None
        # Bytes under his workspace that no row of his names are not his to read either.
        blob_store.put("bob", SHA, PHOTO)
        assert bob.image_bytes(SHA) is None
        assert bob.kept_image_bytes() == 0


def test_a_shared_run_lets_the_team_read_its_originals_and_nothing_else(
    history_db, blob_store: BlobStore
):
    other = make_photo((200, 100))
    other_sha = hashlib.sha256(other).hexdigest()
    with history_db.open(workspace="alice", blobs=blob_store) as store:
        shared = store.save_run(photo_run(), originals={SHA: PHOTO})
        private = store.save_run(photo_run(other_sha), originals={other_sha: other})
        team = TeamRecords(store)
        assert team.shared_original(shared.id, SHA) is None  # not shared yet
        assert team.share("alice", "run", shared.id)
        assert team.shared_original(shared.id, SHA) == PHOTO
        # A hash that is not one of the shared run's images, or a run not shared: nothing.
        assert team.shared_original(shared.id, other_sha) is None
        assert team.shared_original(private.id, other_sha) is None
        assert team.unshare("alice", "run", shared.id)
        assert team.shared_original(shared.id, SHA) is None


def test_a_failing_blob_store_keeps_the_answer_and_the_run_says_why(history_db, tmp_path):
    blobs = FolderBlobStore(tmp_path / "blobs")
    blobs.path("local", SHA).mkdir(parents=True)  # the blob's file cannot be written
    with history_db.open(blobs=blobs) as store:
        saved = store.save_run(photo_run(), originals={SHA: PHOTO})
        assert store.get_run(saved.id) == saved
        assert saved.answer == "A cat."
        note = saved.images[0].steps[-1]
        assert note.startswith("original not kept in the history: The originals folder ")
        assert store.image_bytes(SHA) is None
        assert blob_rows(history_db) == []
        assert not store.save_image_bytes(SHA, PHOTO)


def test_a_new_sqlite_history_keeps_its_originals_in_a_folder_beside_it(tmp_path):
    path = tmp_path / "data" / "history.sqlite3"
    with HistoryStore(path) as store:
        store.save_run(photo_run(), originals={SHA: PHOTO})
        assert isinstance(store.blobs, FolderBlobStore)
    folder = tmp_path / "data" / "history.sqlite3-blobs"
    kept = folder / "local" / SHA[:2] / SHA
    assert kept.read_bytes() == PHOTO
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # Neither the database file nor its write-ahead log holds the photo's bytes.
    for part in (path, path.with_name("history.sqlite3-wal")):
        assert not part.exists() or PHOTO[-4096:] not in part.read_bytes()


def test_the_setting_sends_originals_to_s3(
    history_db, s3_bucket: str, s3_server: S3Server, monkeypatch
):
    monkeypatch.setenv("VISION_BLOB_URL", f"s3://{s3_bucket}/vision")
    with history_db.open() as store:
        assert isinstance(store.blobs, S3BlobStore)
        store.save_run(photo_run(), originals={SHA: PHOTO})
        assert store.image_bytes(SHA) == PHOTO
    assert s3_server.keys(s3_bucket) == [f"vision/local/{SHA}"]
    assert blob_rows(history_db) == [("local", SHA, len(PHOTO), 0, "blob_store", None)]


def test_database_keeps_originals_in_the_rows_as_before(history_db):
    with history_db.open(blobs="database") as store:
        assert store.blobs is None
        store.save_run(photo_run(), originals={SHA: PHOTO})
        assert store.image_bytes(SHA) == PHOTO
    assert blob_rows(history_db) == [("local", SHA, len(PHOTO), len(PHOTO), "database", None)]


def test_without_the_setting_a_file_uses_a_folder_and_a_server_its_rows(history_db):
    with history_db.open() as store:
        store.save_run(photo_run(), originals={SHA: PHOTO})
        assert store.image_bytes(SHA) == PHOTO
        if history_db.engine == "sqlite":
            assert isinstance(store.blobs, FolderBlobStore)
            expected = (0, "blob_store")
        else:
            # A server's replicas may not share a disk: without VISION_BLOB_URL nothing is
            # moved to a folder that only one of them would see.
            assert store.blobs is None
            expected = (len(PHOTO), "database")
    assert blob_rows(history_db)[0][3:5] == expected


def test_a_copy_gone_from_the_blob_store_or_a_store_not_configured_is_said(history_db, tmp_path):
    blobs = FolderBlobStore(tmp_path / "blobs")
    with history_db.open(blobs=blobs) as store:
        saved = store.save_run(photo_run(), originals={SHA: PHOTO})
    with history_db.open(blobs="database") as store:
        (note,) = reopen(store, saved).notes
        assert note == (
            "Image 1 of this run (cat.jpg): its copy is in a blob store this app is not set to "
            "use; set VISION_BLOB_URL as it was when the run was saved."
        )
    blobs.path("local", SHA).unlink()
    with history_db.open(blobs=blobs) as store:
        with pytest.raises(HistoryError) as caught:
            rebuild_request(saved, store)
        assert str(caught.value) == (
            f"Image 1 of this run (cat.jpg): its copy is missing from {blobs.root}; add the "
            "image again on the Playground."
        )
