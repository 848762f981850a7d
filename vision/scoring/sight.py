"""What a judge is shown of a batch's run: the image(s) exactly as the graded model received
them, prepared again from the originals the history keeps at the batch's resolution and checked
against the hashes the run recorded (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from vision.errors import VisionError
from vision.values.request import ImageRef
from vision.values.run import Run

if TYPE_CHECKING:
    from vision.history.store import HistoryStore
    from vision.values.image import PreparedImage, SourcePart

# What the judge is shown of a run's images; raises a VisionError saying why it cannot be.
Sight = Callable[[Run], tuple[ImageRef, ...]]


def batch_sight(store: HistoryStore, batch_id: str) -> Sight:
    """The images each run of this batch was sent, as its model received them."""
    from vision.history.replay import sent_images
    from vision.images.intake import prepare_at
    from vision.values.batch import Resolution

    recorded = store.batch_spec(batch_id)
    spec = recorded[0] if recorded is not None else {}
    # A sweep's batch was prepared at its own setting; any other at the default.
    resolution = Resolution(token_budget=spec.get("token_budget"), max_side=spec.get("max_side"))

    def prepare(data: bytes, name: str, model: str, parts: tuple[SourcePart, ...]) -> PreparedImage:
        return prepare_at(
            data, filename=name or None, model=model, resolution=resolution, parts=parts
        )

    def sight(run: Run) -> tuple[ImageRef, ...]:
        return sent_images(run, store, prepare=prepare)

    return sight


def look(sight: Sight | None, run: Run) -> tuple[ImageRef, ...] | VisionError:
    """The images the judge is shown for a run (none without a sight), or why it cannot be."""
    if sight is None:
        return ()
    try:
        return sight(run)
    except VisionError as exc:
        return exc
