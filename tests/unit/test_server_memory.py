"""After a crowd has left, the memory its sessions' threads freed goes back to the system."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from vision.server_memory import hand_back_freed_memory, keep_handing_back_memory

THREADS = 4
PIECES = 20_000  # of 4 kB each, per thread: 320 MB in all
KEPT_EVERY = 64  # a few survivors scattered through the heaps, as a session's leftovers are


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _crowd_came_and_went(survivors: list[bytes]) -> None:
    """Threads allocate many pieces of memory each, as sessions do, and free all but a few."""

    def work() -> None:
        pieces = [bytes(4096) for _ in range(PIECES)]
        survivors.extend(pieces[::KEPT_EVERY])

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux's")
def test_memory_freed_by_many_threads_goes_back_to_the_system():
    survivors: list[bytes] = []
    before = _resident_mb()
    _crowd_came_and_went(survivors)
    held = _resident_mb()
    assert held - before > 100  # freed, but still the process's: glibc keeps it for reuse
    assert hand_back_freed_memory()
    assert _resident_mb() - before < (held - before) / 2
    assert len(survivors) == THREADS * len(range(0, PIECES, KEPT_EVERY))  # still held


def test_one_thread_hands_memory_back_however_often_the_page_asks():
    assert keep_handing_back_memory() == keep_handing_back_memory()
    named = [thread for thread in threading.enumerate() if thread.name == "vision-memory"]
    assert len(named) == (1 if keep_handing_back_memory() else 0)
    assert all(thread.daemon for thread in named)
