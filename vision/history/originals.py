"""Original image bytes, kept once per hash and workspace, so a run can be reopened and sent
again."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from vision.history.config import (
    MAX_IMAGE_BYTES_ENV,
    MAX_WORKSPACE_BYTES_ENV,
)
from vision.history.rows import WorkspaceRows
from vision.history.schema import (
    timestamp,
)
from vision.history.tables import (
    image_blobs,
)
from vision.sizes import human_size
from vision.values.run import utc_now


class OriginalRecords(WorkspaceRows):
    """A workspace's original image bytes, kept once per hash within its limits."""

    def save_image_bytes(self, sha256: str, data: bytes, *, mime: str | None = None) -> bool:
        """Keep an image's bytes under its hash (a no-op when already kept); False when the
        configured limits keep it out."""
        with self._database.writing() as db:
            return self._keep(db, sha256, data, mime=mime) is None

    def image_bytes(self, sha256: str) -> bytes | None:
        """The kept bytes of an image, or None when they were not kept."""
        query = select(image_blobs.c.data).where(
            image_blobs.c.sha256 == sha256, self._mine(image_blobs)
        )
        found = self._scalars(query)
        return bytes(found[0]) if found else None

    def kept_image_bytes(self) -> int:
        """The bytes of originals this workspace keeps (what VISION_MAX_WORKSPACE_IMAGE_BYTES
        limits)."""
        query = select(func.coalesce(func.sum(image_blobs.c.size), 0)).where(
            self._mine(image_blobs)
        )
        return int(self._scalars(query)[0])

    def _keep(self, db: Connection, sha256: str, data: bytes, *, mime: str | None) -> str | None:
        """Keep an original unless a limit says no; the reason it was not kept, else None."""
        size = len(data)
        limit = self.limits.max_image_bytes
        if size > limit:
            return (
                f"original not kept in the history: {human_size(size)} is over the "
                f"{human_size(limit)} limit ({MAX_IMAGE_BYTES_ENV})"
            )
        quota = self.limits.max_workspace_bytes
        if quota is not None:
            kept = db.execute(
                select(image_blobs.c.size).where(
                    image_blobs.c.sha256 == sha256, self._mine(image_blobs)
                )
            ).first()
            if kept is not None:
                return None
            used = int(
                db.execute(
                    select(func.coalesce(func.sum(image_blobs.c.size), 0)).where(
                        self._mine(image_blobs)
                    )
                ).scalar_one()
            )
            if used + size > quota:
                return (
                    f"original not kept in the history: this workspace keeps "
                    f"{human_size(used)} of originals and {human_size(size)} more would pass "
                    f"the {human_size(quota)} limit ({MAX_WORKSPACE_BYTES_ENV})"
                )
        self._insert_new(
            db,
            image_blobs,
            {
                "workspace": self.workspace,
                "sha256": sha256,
                "mime": mime,
                "size": size,
                "data": data,
                "created_at": timestamp(utc_now()),
            },
        )
        return None
