"""How often streaming answers are redrawn: five times a second while few people are asked at
once, less often as more stream on the same server, so its redraws stay within what one process
can do and the answers themselves keep its time."""

from __future__ import annotations

import threading

# Five redraws a second still reads as streaming.
FASTEST_REDRAW_S = 0.2
# Slower than once a second no longer reads as streaming; the server is then simply full.
SLOWEST_REDRAW_S = 1.0
# The streaming answers' redraws one app process does a second, in all (each a fragment run of
# a few milliseconds): 25 keep five a second for five people, and take a tenth of a core.
REDRAWS_PER_SECOND = 25.0


def redraw_interval(streaming: int) -> float:
    """Seconds between redraws of one person's streaming answers, with `streaming` runs of
    answers streaming in this process (theirs included)."""
    return min(SLOWEST_REDRAW_S, max(FASTEST_REDRAW_S, streaming / REDRAWS_PER_SECOND))


class StreamingCount:
    """How many runs of answers are streaming in this process now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def began(self) -> None:
        """One more run is streaming."""
        with self._lock:
            self._count += 1

    def ended(self) -> None:
        """One run has ended."""
        with self._lock:
            self._count -= 1

    @property
    def now(self) -> int:
        """The runs streaming at this moment."""
        return self._count


# One per process: every session's answers are drained by threads of the same server.
STREAMING = StreamingCount()
