"""Whoever runs a kept batch says so every HEARTBEAT_S, so that other tabs, replicas and workers
reading its progress from the store (vision/history/progress.py) know it still runs; one not
heard from for vision.values.kept_batch.STALE_S is taken to have stopped with its process."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING

from vision.errors import HistoryError

if TYPE_CHECKING:
    from vision.history.store import HistoryStore

HEARTBEAT_S = 5.0


class Heartbeat:
    """Touches a batch every HEARTBEAT_S on a daemon thread while the block runs."""

    def __init__(self, store: HistoryStore, batch_id: str, every_s: float = HEARTBEAT_S) -> None:
        self._store = store
        self._batch_id = batch_id
        self._every_s = every_s
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="batch-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._done.wait(self._every_s):
            try:
                self._store.touch_batch(self._batch_id)
            except HistoryError:
                continue  # a missed beat: the next one, or the batch's runs, say it lives

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()
