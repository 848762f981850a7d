"""Kept originals: which workspace may read which hash, and where its bytes are (the blob store,
the database's rows until they move, or a local file the history names by its path), so that a
run can be reopened and sent again.

Every read starts from this workspace's row: a hash with no row of ours reads nothing, from the
database or the blob store. Bytes go to the blob store before the rows that name them are
written, so a row never names bytes that are not there.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from vision.errors import BlobStoreError
from vision.history.blobs.store import BlobStore
from vision.history.config import (
    MAX_IMAGE_BYTES_ENV,
    MAX_WORKSPACE_BYTES_ENV,
)
from vision.history.rows import WorkspaceRows
from vision.history.schema import timestamp
from vision.history.tables import image_blobs
from vision.sizes import human_size
from vision.values.batch import ImageFile
from vision.values.run import utc_now

_LOG = logging.getLogger(__name__)
NOT_KEPT = "original not kept in the history: "


@dataclass(frozen=True, slots=True, kw_only=True)
class Original:
    """What the history holds of an original: its bytes, or the sentence saying why it cannot
    give them ("/photos/cat.jpg is gone; ..."); neither when it was never kept."""

    data: bytes | None = field(default=None, repr=False)
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Staged:
    """Originals checked against the limits and, for copies, already in the blob store: the rows
    to write, and the reason each original left out was not kept."""

    rows: tuple[dict[str, Any], ...] = ()
    unkept: dict[str, str] = field(default_factory=dict)


def read_linked(path: str, sha256: str) -> Original:
    """A local file's bytes when they still have this hash; else what became of it."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return Original(
            problem=f"{path} is gone; put it back, or add the image again on the Playground."
        )
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        return Original(
            problem=f"{path} cannot be read ({reason}); check its permissions, or add the "
            "image again on the Playground."
        )
    if hashlib.sha256(data).hexdigest() != sha256:
        return Original(
            problem=f"{path} has changed since this run was saved; put the original back, or "
            "add the image again on the Playground."
        )
    return Original(data=data)


class OriginalRecords(WorkspaceRows):
    """A workspace's kept originals, once per hash, within the configured limits."""

    # Where copies go; None keeps them in the database's rows (a server without VISION_BLOB_URL).
    blobs: BlobStore | None

    def save_image_bytes(self, sha256: str, data: bytes, *, mime: str | None = None) -> bool:
        """Keep an image's bytes under its hash (a no-op when already kept); False when the
        configured limits (or a failing blob store) keep it out."""
        staged = self._stage({sha256: data}, mime=mime)
        with self._database.writing() as db:
            unkept = {**staged.unkept, **self._record(db, staged)}
        return sha256 not in unkept

    def original(self, sha256: str) -> Original:
        """This workspace's original under the hash: its bytes, or what became of them."""
        query = select(image_blobs.c.stored_in, image_blobs.c.data, image_blobs.c.path).where(
            image_blobs.c.sha256 == sha256, self._mine(image_blobs)
        )
        with self._database.reading() as db:
            row = db.execute(query).first()
        if row is None:
            return Original()
        stored_in, data, path = row
        if stored_in == "database":
            return Original(data=bytes(data))
        if stored_in == "file":
            return read_linked(str(path), sha256)
        if self.blobs is None:
            return Original(
                problem="its copy is in a blob store this app is not set to use; set "
                "VISION_BLOB_URL as it was when the run was saved."
            )
        found = self.blobs.get(self.workspace, sha256)
        if found is None:
            return Original(
                problem=f"its copy is missing from {self.blobs.location}; add the image again "
                "on the Playground."
            )
        return Original(data=found)

    def image_bytes(self, sha256: str) -> bytes | None:
        """The kept bytes of an image, or None when they were not kept (or cannot be read)."""
        return self.original(sha256).data

    def kept_image_bytes(self) -> int:
        """The bytes of originals this workspace keeps (what VISION_MAX_WORKSPACE_IMAGE_BYTES
        limits); a local file the history only names takes none."""
        with self._database.reading() as db:
            return self._used(db)

    def _used(self, db: Connection) -> int:
        query = select(func.coalesce(func.sum(image_blobs.c.size), 0)).where(
            self._mine(image_blobs), image_blobs.c.stored_in != "file"
        )
        return int(db.execute(query).scalar_one())

    def _holds_bytes(self, db: Connection, sha256: str) -> bool:
        query = select(image_blobs.c.stored_in).where(
            image_blobs.c.sha256 == sha256,
            self._mine(image_blobs),
            image_blobs.c.stored_in != "file",
        )
        return db.execute(query).first() is not None

    def _limit_reason(self, size: int, used: int) -> str | None:
        """Why an original of this size is not kept when the workspace keeps `used` bytes."""
        limit = self.limits.max_image_bytes
        if size > limit:
            return (
                f"{NOT_KEPT}{human_size(size)} is over the {human_size(limit)} limit "
                f"({MAX_IMAGE_BYTES_ENV})"
            )
        quota = self.limits.max_workspace_bytes
        if quota is not None and used + size > quota:
            return (
                f"{NOT_KEPT}this workspace keeps {human_size(used)} of originals and "
                f"{human_size(size)} more would pass the {human_size(quota)} limit "
                f"({MAX_WORKSPACE_BYTES_ENV})"
            )
        return None

    def _stage(
        self, originals: Mapping[str, bytes | ImageFile], *, mime: str | None = None
    ) -> _Staged:
        """Check each original against the limits and copy what may be kept to the blob store,
        before any write transaction: uploads never hold the database's write lock."""
        if not originals:
            return _Staged()
        with self._database.reading() as db:
            query = select(image_blobs.c.sha256, image_blobs.c.stored_in).where(
                self._mine(image_blobs), image_blobs.c.sha256.in_(list(originals))
            )
            held = {str(sha): str(where) for sha, where in db.execute(query).all()}
            used = self._used(db)
        now = timestamp(utc_now())
        rows: list[dict[str, Any]] = []
        unkept: dict[str, str] = {}
        for sha, original in originals.items():
            if held.get(sha) in {"database", "blob_store"}:
                continue  # kept already: nothing to write, nothing counted
            base = {"workspace": self.workspace, "sha256": sha, "mime": mime, "created_at": now}
            if isinstance(original, ImageFile):
                row = self._linked(base, original)
                if row is not None:
                    rows.append(row)
                continue
            reason = self._limit_reason(len(original), used)
            if reason is None:
                reason = self._copy(sha, original)
            if reason is not None:
                unkept[sha] = reason
                continue
            used += len(original)
            rows.append(
                {
                    **base,
                    "size": len(original),
                    "data": original if self.blobs is None else b"",
                    "stored_in": "database" if self.blobs is None else "blob_store",
                    "path": None,
                }
            )
        return _Staged(rows=tuple(rows), unkept=unkept)

    def _linked(self, base: dict[str, Any], file: ImageFile) -> dict[str, Any] | None:
        """The row naming a local file, or None when it is gone already (nothing to name)."""
        path = Path(file.path).absolute()
        try:
            size = path.stat().st_size
        except OSError:
            return None
        return {**base, "size": size, "data": b"", "stored_in": "file", "path": str(path)}

    def _copy(self, sha256: str, data: bytes) -> str | None:
        """Put the bytes in the blob store; the reason they are not kept when it fails."""
        if self.blobs is None:
            return None
        try:
            self.blobs.put(self.workspace, sha256, data)
        except BlobStoreError as err:
            _LOG.warning("An original was not kept: %s", err)
            return f"{NOT_KEPT}{err}"
        return None

    def _record(self, db: Connection, staged: _Staged) -> dict[str, str]:
        """Write the staged rows in the caller's transaction, the quota checked again under its
        lock (another writer may have kept originals meanwhile); the reason for each left out."""
        unkept: dict[str, str] = {}
        used = self._used(db) if self.limits.max_workspace_bytes is not None else 0
        dialect: Any = sqlite if self._database.is_sqlite else postgresql
        for row in staged.rows:
            counted = row["stored_in"] != "file"
            if counted and self._holds_bytes(db, row["sha256"]):
                continue  # kept meanwhile by another writer
            reason = self._limit_reason(row["size"], used) if counted else None
            if reason is not None:
                unkept[row["sha256"]] = reason
                continue
            insert = dialect.insert(image_blobs).values(row)
            # A copy replaces a row that only named a file; a file's newest path replaces an
            # older one; bytes kept already stay as they are.
            done = db.execute(
                insert.on_conflict_do_update(
                    index_elements=[image_blobs.c.workspace, image_blobs.c.sha256],
                    set_={
                        name: insert.excluded[name]
                        for name in ("size", "data", "stored_in", "path", "mime")
                    },
                    where=image_blobs.c.stored_in == "file",
                )
            )
            if counted and done.rowcount:
                used += row["size"]
        return unkept
