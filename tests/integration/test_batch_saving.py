"""Each slot of a batch saves its own answer: a save that takes long (a history file another
program holds, a slow disk) holds up only its slot's next request, not every other slot's."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from vision.api.client import VisionClient
from vision.batch.recorded.spec import BatchSpec
from vision.batch.running.resume import Observers, RecordedSettings, run_recorded
from vision.echo import ECHO_MODELS
from vision.history.store import HistoryStore
from vision.values.batch import Originals
from vision.values.run import Run

SLOW_SAVE_S = 1.0


class SlowFirstSave(HistoryStore):
    """A real SQLite store whose first save of an answer takes SLOW_SAVE_S."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.lock = threading.Lock()
        self.saved_at: list[float] = []

    def save_run(self, run: Run, *, originals: Originals | None = None) -> Run:
        with self.lock:
            first = not self.saved_at
            self.saved_at.append(float("inf"))
            index = len(self.saved_at) - 1
        if first:
            time.sleep(SLOW_SAVE_S)
        saved = super().save_run(run, originals=originals)
        self.saved_at[index] = time.monotonic()
        return saved


def test_a_slow_save_holds_up_only_its_own_slot(echo, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(6):
        (folder / f"{index}.png").write_bytes(make_image("PNG", (64, 48 + index)))
    spec = BatchSpec(source=str(folder), prompt="p", models=(ECHO_MODELS[0],), concurrency=2)
    reported: list[int] = []
    with SlowFirstSave(tmp_path / "history.sqlite3") as store:
        with VisionClient(echo.base_url, ECHO_API_KEY) as client:
            start = time.monotonic()
            outcome = run_recorded(
                client,
                store,
                "b1",
                spec,
                RecordedSettings(new=True),
                Observers(on_result=lambda result: reported.append(result.job.item_index)),
            )
        assert outcome.progress.done == 6
        assert sorted(reported) == list(range(6))
        slow_done = store.saved_at[0]
        # The other slot went on asking and saving while the first save took its second.
        assert sum(at < slow_done for at in store.saved_at[1:]) >= 3
        assert slow_done - start < SLOW_SAVE_S + 0.8
        assert len(store.batch_runs("b1", images=False)) == 6
