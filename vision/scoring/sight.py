"""What a judge is shown of a batch's run: the image(s) exactly as the graded model received
them, prepared again from the originals the history keeps at the batch's resolution and checked
against the hashes the run recorded (docs/metrics.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vision.values.request import ImageRef
from vision.values.run import Run

if TYPE_CHECKING:
    from vision.history.store import HistoryStore
    from vision.scoring.judge import Sight
    from vision.values.image import PreparedImage


def batch_sight(store: HistoryStore, batch_id: str) -> Sight:
    """The images each run of this batch was sent, as its model received them."""
    from vision.batch.running.preparation import prepare_item
    from vision.history.replay import sent_images
    from vision.values.batch import Resolution

    recorded = store.batch_spec(batch_id)
    spec = recorded[0] if recorded is not None else {}
    # A sweep's batch was prepared at its own setting; any other at the default.
    resolution = Resolution(token_budget=spec.get("token_budget"), max_side=spec.get("max_side"))

    def prepare(data: bytes, name: str, model: str) -> PreparedImage:
        prepared, _ = prepare_item(data, name, model, resolution=resolution)
        return prepared

    def sight(run: Run) -> tuple[ImageRef, ...]:
        return sent_images(run, store, prepare=prepare)

    return sight
