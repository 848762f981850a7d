"""Kept originals as files in a folder: one folder per workspace, then the hash's first two
characters, then the hash. Each file is written to a temporary name, flushed to the disk and
renamed into place, so a crash leaves the whole file or none of it; folders are the owner's
alone (0700) and files too (0600), as the history file itself."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from vision.errors import BlobStoreError
from vision.history.blobs.store import BlobStore, check_blob_name, workspace_folder

OWNER_ONLY_FOLDER = 0o700
# What mkstemp gives the temporary file, which the rename keeps.
OWNER_ONLY_FILE = 0o600
_INCOMING = ".incoming-"


def _fsync_folder(folder: Path) -> None:
    """Make a rename in this folder survive a power cut (a no-op where folders cannot be
    opened, as on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class FolderBlobStore(BlobStore):
    """Blobs as files under `root`, which is created (0700) when the first one is written."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def location(self) -> str:
        """The folder."""
        return str(self.root)

    def path(self, workspace: str, sha256: str) -> Path:
        """The file a blob is kept in."""
        name = check_blob_name(sha256)
        return self.root / workspace_folder(workspace) / name[:2] / name

    def put(self, workspace: str, sha256: str, data: bytes) -> None:
        """Write the file unless it is there whole already."""
        target = self.path(workspace, sha256)
        try:
            if target.is_file() and target.stat().st_size == len(data):
                return
            self._make_folders(target.parent)
            descriptor, incoming = tempfile.mkstemp(prefix=_INCOMING, dir=target.parent)
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                Path(incoming).replace(target)
            except BaseException:
                with contextlib.suppress(OSError):
                    Path(incoming).unlink()
                raise
            _fsync_folder(target.parent)
        except OSError as exc:
            raise self._failed("written", exc) from None

    def get(self, workspace: str, sha256: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""
        try:
            return self.path(workspace, sha256).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._failed("read", exc) from None

    def size(self, workspace: str, sha256: str) -> int | None:
        """The file's size, or None when there is no such file."""
        try:
            found = self.path(workspace, sha256)
            return found.stat().st_size if found.is_file() else None
        except OSError as exc:
            raise self._failed("read", exc) from None

    def _make_folders(self, folder: Path) -> None:
        """Create the folder and any missing parent below the filesystem's existing ones, each
        readable by its owner only (an existing folder keeps its mode)."""
        missing = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            with contextlib.suppress(FileExistsError):  # another process made it meanwhile
                path.mkdir(mode=OWNER_ONLY_FOLDER)

    def _failed(self, done: str, exc: OSError) -> BlobStoreError:
        reason = (exc.strerror or type(exc).__name__).lower()
        return BlobStoreError(
            f"The originals folder {self.root} cannot be {done} ({reason}); free some space or "
            "check its permissions, or set VISION_BLOB_URL to another place."
        )
