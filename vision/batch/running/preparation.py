"""Images of a batch prepared once per model, just ahead of the requests that send them."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from functools import partial
from pathlib import Path

from vision.errors import ImageTooLargeError, ImageUnreadableError
from vision.images.intake import prepare_at
from vision.images.thumbnail import image_from_prepared, make_thumbnail
from vision.values.batch import DEFAULT_RESOLUTION, ImageFile, Prepare, Resolution
from vision.values.image import PreparedImage, SourcePart
from vision.values.run import RunImage

# (sha256 of the source bytes, or "file:" and its path; model; the pages or frames it shows)
ImageKey = tuple[str, str, tuple[SourcePart, ...]]
Ready = Future[tuple[PreparedImage, RunImage]]
# Thumbnails and hashes remembered for the images most recently seen: the two models of an image
# share one thumbnail, and memory stays flat however many images the batch has.
_REMEMBERED = 256


def read_image_file(path: str) -> bytes:
    """A local image's bytes, refusing one too large to read before reading it."""
    # Imported here: defining a batch needs no image library.
    from vision.images.intake import MAX_SOURCE_BYTES

    try:
        size = Path(path).stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise ImageTooLargeError(
                f"{path} is {size / 1_000_000:.0f} MB, more than we read; export a smaller "
                "version (under 20 MB) and run again."
            )
        return Path(path).read_bytes()
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise ImageUnreadableError(
            f"Cannot read {path}: {reason}; check the file and run again."
        ) from None


def prepare_item(
    image: bytes | str,
    name: str,
    model: str,
    *,
    is_file: bool = False,
    resolution: Resolution = DEFAULT_RESOLUTION,
    parts: tuple[SourcePart, ...] = (),
) -> tuple[PreparedImage, RunImage]:
    """Read (a file), prepare for one model and thumbnail: the work of one preparation worker,
    a module-level function so that a process pool can run it."""
    data = read_image_file(str(image)) if is_file else image
    assert isinstance(data, bytes)
    prepared = prepare_at(
        data, filename=name or None, model=model, resolution=resolution, parts=parts
    )
    return prepared, image_from_prepared(prepared, thumbnail=make_thumbnail(prepared.data))


class PreparedImagePool:
    """Each (image, model) prepared once, ahead of its request, and dropped once it is used.

    The coordinator acquires the jobs just ahead in the queue (preparation starts on the
    `pool`, threads or processes) and releases a job when its result is final, so memory holds
    a window of images, not the whole batch. A custom `prepare` (tests) needs a thread pool.
    """

    def __init__(
        self, prepare: Prepare | None, pool: Executor, resolution: Resolution = DEFAULT_RESOLUTION
    ) -> None:
        self._resolution = resolution
        self._prepare = prepare or partial(prepare_at, resolution=resolution)
        self._pool = pool
        # A process pool gets the whole of prepare_item; threads share this process's thumbnails.
        self._in_process = not isinstance(pool, ProcessPoolExecutor)
        self._lock = threading.Lock()
        self._images: dict[ImageKey, Ready] = {}
        self._users: dict[ImageKey, int] = {}
        self._shas: OrderedDict[int, str] = OrderedDict()
        self._thumbnails: OrderedDict[tuple[str, tuple[SourcePart, ...]], bytes] = OrderedDict()

    def _sha(self, index: int, image: bytes) -> str:
        with self._lock:
            sha = self._shas.get(index)
        if sha is None:
            sha = hashlib.sha256(image).hexdigest()
        with self._lock:
            self._shas[index] = sha
            self._shas.move_to_end(index)
            while len(self._shas) > _REMEMBERED:
                self._shas.popitem(last=False)
        return sha

    def acquire(
        self,
        index: int,
        image: object,
        name: str,
        model: str,
        parts: tuple[SourcePart, ...] = (),
    ) -> ImageKey | None:
        """Hold a job's image (the pages or frames of a document or video, where named),
        starting its preparation if no one holds it; None for a URL."""
        source: bytes | str
        if isinstance(image, ImageFile):
            key, source, is_file = (f"file:{image.path}", model, parts), image.path, True
        elif isinstance(image, bytes):
            key, source, is_file = (self._sha(index, image), model, parts), image, False
        else:
            return None
        with self._lock:
            self._users[key] = self._users.get(key, 0) + 1
            if key in self._images:
                return key
            pending: Ready = Future()
            self._images[key] = pending
        if self._in_process:
            self._pool.submit(self._fill, pending, source, name, key, is_file)
        else:
            done = self._pool.submit(
                prepare_item,
                source,
                name,
                model,
                is_file=is_file,
                resolution=self._resolution,
                parts=parts,
            )
            done.add_done_callback(lambda ready: self._settle(pending, ready))
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

    def _settle(self, pending: Ready, ready: Ready) -> None:
        if not pending.set_running_or_notify_cancel():
            return
        if ready.cancelled():
            pending.set_exception(ImageUnreadableError("The batch stopped before this image."))
            return
        error = ready.exception()
        if error is not None:
            pending.set_exception(error)
            return
        prepared, record = ready.result()
        pending.set_result((prepared, self._shared(prepared, record)))

    def _fill(
        self, pending: Ready, source: bytes | str, name: str, key: ImageKey, is_file: bool
    ) -> None:
        if not pending.set_running_or_notify_cancel():
            return
        _, model, parts = key
        try:
            data = read_image_file(str(source)) if is_file else source
            assert isinstance(data, bytes)
            # Only a page or frame needs its parts named: a stand-in preparation need not know.
            named = {"parts": parts} if parts else {}
            prepared = self._prepare(data, filename=name or None, model=model, **named)
            pending.set_result((prepared, self._record(prepared)))
        except Exception as exc:  # handed to every waiting job, whose .result() re-raises it
            pending.set_exception(exc)

    def _remember(self, prepared: PreparedImage, thumbnail: bytes) -> bytes:
        shown = (prepared.source_sha256, prepared.parts)
        with self._lock:
            kept = self._thumbnails.setdefault(shown, thumbnail)
            self._thumbnails.move_to_end(shown)
            while len(self._thumbnails) > _REMEMBERED:
                self._thumbnails.popitem(last=False)
        return kept

    def _shared(self, prepared: PreparedImage, record: RunImage) -> RunImage:
        kept = self._remember(prepared, record.thumbnail)
        if kept is record.thumbnail:
            return record
        return image_from_prepared(prepared, thumbnail=kept)

    def _record(self, prepared: PreparedImage) -> RunImage:
        with self._lock:
            thumbnail = self._thumbnails.get((prepared.source_sha256, prepared.parts))
        if thumbnail is None:
            thumbnail = self._remember(prepared, make_thumbnail(prepared.data))
        return image_from_prepared(prepared, thumbnail=thumbnail)
