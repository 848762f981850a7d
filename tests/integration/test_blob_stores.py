"""The blob stores on their own, each test on a folder and on an S3-compatible server on
loopback: bytes come back as written, workspaces stay apart, a folder is written atomically and
for its owner only, and S3's credentials reach no log record, sentence or repr."""

from __future__ import annotations

import hashlib
import logging
import stat
from pathlib import Path

import pytest

from tests.support.s3 import ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, S3Server
from vision.errors import BlobStoreError, HistoryError
from vision.history.blobs.config import IN_DATABASE, blob_store_from_env, default_folder
from vision.history.blobs.folder import FolderBlobStore
from vision.history.blobs.s3 import S3BlobStore
from vision.history.blobs.store import BlobStore, workspace_folder

PHOTO = b"\xff\xd8 a photo's bytes " * 500
SHA = hashlib.sha256(PHOTO).hexdigest()


def test_bytes_come_back_as_written_and_only_under_their_workspace(blob_store: BlobStore):
    assert blob_store.get("alice", SHA) is None
    assert blob_store.size("alice", SHA) is None
    blob_store.put("alice", SHA, PHOTO)
    blob_store.put("alice", SHA, PHOTO)  # the same hash again: one copy
    assert blob_store.get("alice", SHA) == PHOTO
    assert blob_store.size("alice", SHA) == len(PHOTO)
    assert blob_store.get("bob", SHA) is None
    # A workspace name that is not a plain folder name is one too, and another's.
    blob_store.put("Alice@example.com/../x", SHA, b"other bytes")
    assert blob_store.get("Alice@example.com/../x", SHA) == b"other bytes"
    assert blob_store.get("alice", SHA) == PHOTO


@pytest.mark.parametrize("name", ["../../etc/passwd", "", "a/b", "x" * 129, "h.jpg"])
def test_a_name_that_is_no_hash_reads_and_writes_nothing(blob_store: BlobStore, name: str):
    with pytest.raises(BlobStoreError, match="is not one, so nothing was read or written"):
        blob_store.put("alice", name, PHOTO)
    with pytest.raises(BlobStoreError, match="SHA-256"):
        blob_store.get("alice", name)


def test_workspace_folders_are_plain_names_or_hashes_that_cannot_collide():
    assert workspace_folder("local") == "local"
    assert workspace_folder("oidc-0123abcd") == "oidc-0123abcd"
    for odd in ("Alice", "..", "a/b", "x" * 300, "é"):
        folder = workspace_folder(odd)
        assert folder.startswith("_")
        assert len(folder) == 65
        assert "/" not in folder
    assert workspace_folder("Alice") != workspace_folder("alice")


def test_a_folder_is_written_whole_for_its_owner_only(tmp_path: Path):
    store = FolderBlobStore(tmp_path / "history.sqlite3-blobs")
    assert not store.root.exists()  # made by the first write, not before
    store.put("local", SHA, PHOTO)
    kept = store.path("local", SHA)
    assert kept == tmp_path / "history.sqlite3-blobs" / "local" / SHA[:2] / SHA
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    for folder in (store.root, store.root / "local", kept.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # Nothing but the blob: the temporary file was renamed into place.
    assert [path.name for path in kept.parent.iterdir()] == [SHA]


def test_a_folder_that_cannot_be_written_says_so_and_leaves_no_part_file(tmp_path: Path):
    store = FolderBlobStore(tmp_path / "blobs")
    store.path("local", SHA).mkdir(parents=True)  # a folder where the file should go
    with pytest.raises(BlobStoreError) as caught:
        store.put("local", SHA, PHOTO)
    assert str(caught.value).startswith(f"The originals folder {store.root} cannot be written (")
    assert "VISION_BLOB_URL" in str(caught.value)
    assert isinstance(caught.value, HistoryError)
    assert [path.name for path in store.path("local", SHA).parent.iterdir()] == [SHA]


def test_objects_are_keyed_by_prefix_workspace_and_hash(s3_bucket: str, s3_server: S3Server):
    store = S3BlobStore(s3_bucket, "/team/originals/")
    store.put("local", SHA, PHOTO)
    assert s3_server.keys(s3_bucket) == [f"team/originals/local/{SHA}"]
    assert store.location == f"s3://{s3_bucket}/team/originals at {s3_server.endpoint}"
    store.close()


def test_a_missing_bucket_is_a_sentence_without_credentials(
    s3_bucket: str, caplog: pytest.LogCaptureFixture
):
    store = S3BlobStore("no-such-bucket", "p")
    with caplog.at_level(logging.DEBUG), pytest.raises(BlobStoreError) as caught:
        store.put("local", SHA, PHOTO)
    text = str(caught.value)
    assert text.startswith(
        "The originals' object storage s3://no-such-bucket/p at http://127.0.0.1:"
    )
    assert "NoSuchBucket" in text
    assert "that the bucket exists" in text
    for secret in (SECRET_ACCESS_KEY, SESSION_TOKEN):
        assert secret not in text
        assert secret not in repr(store)
        assert secret not in caplog.text
    store.close()


def test_s3_credentials_never_reach_a_log_record_even_at_debug(
    s3_bucket: str, caplog: pytest.LogCaptureFixture
):
    # Every logger at DEBUG, as someone chasing a problem would set them.
    names = ["", "botocore", "botocore.auth", "botocore.endpoint", "boto3", "urllib3"]
    before = {name: logging.getLogger(name).level for name in names}
    try:
        for name in names:
            logging.getLogger(name).setLevel(logging.DEBUG)
        with caplog.at_level(logging.DEBUG):
            store = S3BlobStore(s3_bucket, "p")
            store.put("local", SHA, PHOTO)
            assert store.get("local", SHA) == PHOTO
            store.close()
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
    assert caplog.records  # something was logged: the check below looked at real records
    for secret in (SECRET_ACCESS_KEY, SESSION_TOKEN):
        assert secret not in caplog.text
    assert ACCESS_KEY_ID not in repr(store)


def test_the_setting_picks_the_store(tmp_path: Path, s3_bucket: str):
    history = tmp_path / "history.sqlite3"
    beside = blob_store_from_env(history, {})
    assert isinstance(beside, FolderBlobStore)
    assert beside.root == default_folder(history) == tmp_path / "history.sqlite3-blobs"
    assert blob_store_from_env(None, {}) == IN_DATABASE  # a server: its rows, as before
    assert blob_store_from_env(history, {"VISION_BLOB_URL": "database"}) == IN_DATABASE
    folder = blob_store_from_env(history, {"VISION_BLOB_URL": str(tmp_path / "kept")})
    assert isinstance(folder, FolderBlobStore)
    assert folder.root == tmp_path / "kept"
    as_url = blob_store_from_env(None, {"VISION_BLOB_URL": f"file://{tmp_path}/kept%20here"})
    assert isinstance(as_url, FolderBlobStore)
    assert as_url.root == tmp_path / "kept here"
    s3 = blob_store_from_env(history, {"VISION_BLOB_URL": f"s3://{s3_bucket}/a/b"})
    assert isinstance(s3, S3BlobStore)
    assert (s3.bucket, s3.prefix) == (s3_bucket, "a/b")
    s3.close()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("relative/folder", "must name its folder from the root"),
        ("gs://bucket/x", "is not one this app reads"),
        ("s3://", "names no bucket"),
        ("s3://KEY:SECRET-IN-URL@bucket/x", "takes s3://BUCKET/PREFIX only"),
    ],
)
def test_a_setting_the_app_cannot_use_is_a_sentence(value: str, says: str):
    with pytest.raises(BlobStoreError, match=says) as caught:
        blob_store_from_env(None, {"VISION_BLOB_URL": value})
    assert "SECRET-IN-URL" not in str(caught.value)
