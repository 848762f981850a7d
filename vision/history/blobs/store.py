"""The blob store: where kept originals' bytes live, under their workspace and content hash.

The history's rows decide who may read which bytes (vision/history/originals.py); a blob store
only keeps them apart by workspace, so that even a hash read from another person's row names no
file or object of theirs.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod

from vision.errors import BlobStoreError

# The names the history gives its blobs: content hashes (64 hex digits), and short names of the
# same alphabet, which cannot climb out of a folder or a prefix.
_BLOB_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
# A workspace that is already a safe, case-free folder name is used as it is ("local",
# "oidc-..."); any other is named by its hash, after "_", which no plain name starts with.
_PLAIN_WORKSPACE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def workspace_folder(workspace: str) -> str:
    """The folder (or key segment) a workspace's blobs live under."""
    if _PLAIN_WORKSPACE.fullmatch(workspace):
        return workspace
    return "_" + hashlib.sha256(workspace.encode()).hexdigest()


def check_blob_name(sha256: str) -> str:
    """The hash as given, or BlobStoreError when it cannot name a blob."""
    if not _BLOB_NAME.fullmatch(sha256):
        raise BlobStoreError(
            f"An original is kept under its SHA-256 hash; {sha256[:80]!r} is not one, so "
            "nothing was read or written."
        )
    return sha256


class BlobStore(ABC):
    """Bytes kept by workspace and content hash: written whole or not at all, read back as
    written. Writing the same hash twice keeps one copy."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the blobs are, as it may be shown to a person (never a credential)."""

    @abstractmethod
    def put(self, workspace: str, sha256: str, data: bytes) -> None:
        """Keep these bytes under the workspace and hash; raises BlobStoreError."""

    @abstractmethod
    def get(self, workspace: str, sha256: str) -> bytes | None:
        """The bytes kept under the workspace and hash, or None; raises BlobStoreError."""

    @abstractmethod
    def size(self, workspace: str, sha256: str) -> int | None:
        """How many bytes are kept under the workspace and hash, or None when none are."""

    def close(self) -> None:  # noqa: B027 (a folder has nothing to close)
        """Let go of connections; the store cannot be used afterwards."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"
