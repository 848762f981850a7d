"""The process's decode slots: every decode of pixels (a model's version of an image, a
thumbnail) waits for one, so sessions and batch threads preparing at once hold at most this
many decoded images in memory, whatever their concurrency."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Two: a 4096×4096 RGBA decode is 64 MiB, and a pixel-capped one (vision.limits) several times
# that, so peak memory stays bounded when many sessions or batch jobs decode together.
DECODE_SLOTS = 2

_SLOTS = threading.BoundedSemaphore(DECODE_SLOTS)


@contextmanager
def decode_slot() -> Iterator[None]:
    """Hold one of the process's decode slots for the block (waiting for one to free up)."""
    with _SLOTS:
        yield
