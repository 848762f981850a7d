"""Memory the app server has freed, handed back to the system once a crowd has left."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
import time
from collections.abc import Callable
from functools import cache

# glibc keeps what Python frees in its heaps for reuse, one heap per busy thread (each session's
# script runs and each answer's stream have threads of their own): after twenty people's
# sessions were let go the process stayed near its peak. malloc_trim hands the unused pages back;
# once every ten seconds it costs the server a few milliseconds.
HAND_BACK_INTERVAL_S = 10.0

_lock = threading.Lock()
_started: list[threading.Thread] = []


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where there is none (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def hand_back_freed_memory() -> bool:
    """Hand the process's unused heap pages back to the system now; False where it cannot."""
    trim = _malloc_trim()
    return trim is not None and bool(trim(0))


def _keep_handing_back(interval_s: float) -> None:
    while True:
        time.sleep(interval_s)
        hand_back_freed_memory()


def keep_handing_back_memory(interval_s: float = HAND_BACK_INTERVAL_S) -> bool:
    """Once per process, however often it is called: hand freed memory back every interval
    (a daemon thread); False where the system offers no way to."""
    if _malloc_trim() is None:
        return False
    with _lock:
        if not _started:
            thread = threading.Thread(
                target=_keep_handing_back, args=(interval_s,), name="vision-memory", daemon=True
            )
            thread.start()
            _started.append(thread)
    return True
