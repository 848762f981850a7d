"""Images of a batch prepared once per model, just ahead of the requests that send them."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from vision.history.records import RunImage, image_from_prepared, make_thumbnail
from vision.images.prepared import PreparedImage

Prepare = Callable[..., PreparedImage]

ImageKey = tuple[str, str]  # (sha256 of the source bytes, model)
Ready = Future[tuple[PreparedImage, RunImage]]


class PreparedImagePool:
    """Each (image, model) prepared once, ahead of its request, and dropped once it is used.

    The coordinator acquires the jobs just ahead in the queue (preparation starts on the
    `preparing` pool) and releases a job when its result is final, so memory holds a window
    of images, not the whole batch.
    """

    def __init__(self, prepare: Prepare, pool: ThreadPoolExecutor) -> None:
        self._prepare = prepare
        self._pool = pool
        self._lock = threading.Lock()
        self._images: dict[ImageKey, Ready] = {}
        self._users: dict[ImageKey, int] = {}
        self._shas: dict[int, str] = {}
        self._thumbnails: dict[str, bytes] = {}

    def acquire(self, index: int, image: bytes | str, name: str, model: str) -> ImageKey | None:
        """Hold a job's image, starting its preparation if no one holds it; None for a URL."""
        if not isinstance(image, bytes):
            return None
        sha = self._shas.get(index) or self._shas.setdefault(
            index, hashlib.sha256(image).hexdigest()
        )
        key = (sha, model)
        with self._lock:
            self._users[key] = self._users.get(key, 0) + 1
            if key in self._images:
                return key
            pending = self._images[key] = Future()
        self._pool.submit(self._fill, pending, image, name, model)
        return key

    def release(self, key: ImageKey | None) -> None:
        """Let go of a job's image; the last holder drops it from memory."""
        if key is None:
            return
        with self._lock:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key], self._images[key]

    def get(self, key: ImageKey) -> tuple[PreparedImage, RunImage]:
        """The prepared image and its history record; raises the preparation's ImageError."""
        with self._lock:
            pending = self._images[key]
        return pending.result()

    def _fill(self, pending: Ready, data: bytes, name: str, model: str) -> None:
        if not pending.set_running_or_notify_cancel():
            return
        try:
            prepared = self._prepare(data, filename=name or None, model=model)
            pending.set_result((prepared, self._record(prepared)))
        except Exception as exc:  # handed to every waiting job, whose .result() re-raises it
            pending.set_exception(exc)

    def _record(self, prepared: PreparedImage) -> RunImage:
        with self._lock:
            thumbnail = self._thumbnails.get(prepared.source_sha256)
        if thumbnail is None:
            thumbnail = make_thumbnail(prepared.data)
            with self._lock:
                self._thumbnails[prepared.source_sha256] = thumbnail
        return image_from_prepared(prepared, thumbnail=thumbnail)
