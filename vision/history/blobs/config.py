"""Which blob store keeps the originals: VISION_BLOB_URL, else a folder beside the SQLite file;
a PostgreSQL history without the setting keeps them in its rows, as before blob stores."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from vision.errors import BlobStoreError
from vision.history.blobs.folder import FolderBlobStore
from vision.history.blobs.store import BlobStore

BLOB_URL_ENV = "VISION_BLOB_URL"
# The setting's value (and HistoryStore's blobs=) for originals kept in the database's rows.
IN_DATABASE: Literal["database"] = "database"
# Beside history.sqlite3, as SQLite's own -wal and -shm files are.
FOLDER_SUFFIX = "-blobs"

_FORMS = "s3://BUCKET/PREFIX, an absolute folder path (or file:///PATH), or database"


def default_folder(history_file: Path) -> Path:
    """The folder beside a SQLite history that keeps its originals."""
    return history_file.with_name(history_file.name + FOLDER_SUFFIX)


def _s3(value: str) -> BlobStore:
    parts = urlsplit(value)
    if "@" in parts.netloc or parts.query or parts.fragment:
        # Not echoed: a value with an @ may hold a password.
        raise BlobStoreError(
            f"{BLOB_URL_ENV} takes s3://BUCKET/PREFIX only; give the credentials in "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and the endpoint in AWS_ENDPOINT_URL_S3."
        )
    if not parts.netloc:
        raise BlobStoreError(f"{BLOB_URL_ENV} names no bucket ({value}); use s3://BUCKET/PREFIX.")
    from vision.history.blobs.s3 import S3BlobStore

    return S3BlobStore(parts.netloc, unquote(parts.path))


def blob_store_from_env(
    history_file: Path | None, environ: Mapping[str, str] | None = None
) -> BlobStore | Literal["database"]:
    """The store VISION_BLOB_URL names; unset, a folder beside the SQLite file `history_file`,
    or "database" for a server (its rows keep the originals, as before blob stores)."""
    env = os.environ if environ is None else environ
    value = env.get(BLOB_URL_ENV, "").strip()
    if not value:
        return FolderBlobStore(default_folder(history_file)) if history_file else IN_DATABASE
    if value == IN_DATABASE:
        return IN_DATABASE
    if value.startswith("s3://"):
        return _s3(value)
    if value.startswith("file://"):
        value = unquote(urlsplit(value).path)
    elif "://" in value:
        raise BlobStoreError(f"{BLOB_URL_ENV} is not one this app reads; use {_FORMS}.")
    folder = Path(value).expanduser()
    if not folder.is_absolute():
        raise BlobStoreError(
            f"{BLOB_URL_ENV} must name its folder from the root ({value} is relative); use "
            f"{_FORMS}."
        )
    return FolderBlobStore(folder)
