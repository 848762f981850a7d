"""A stitched grid prepared for a model: where each picture lies in it, steps saying the app made
it, and a warning for each picture drawn too small in it to read."""

from __future__ import annotations

from dataclasses import replace

from vision.images.intake import prepare_image
from vision.images.stitch import GRID_SIDE, StitchedGrid, unreadable_pictures
from vision.values.image import PreparedImage
from vision.words import counted

# What prepare_image says of bytes it sends untouched: for a grid, those bytes are ours.
_UNCHANGED = "sent the original file unchanged"


def prepare_stitched(
    grid: StitchedGrid, *, model: str | None = None, filename: str | None = None
) -> PreparedImage:
    """The grid prepared for a model, recording where each picture lies in it (so a box the
    model draws on the grid can be taken back to the picture it falls on); its steps say that
    the app made it, and its warnings name each picture drawn under a readable size."""
    prepared = prepare_image(grid.data, filename=filename, model=model)
    count = len(grid.cells)
    made = f"stitched {counted(count, 'image')} into one labelled {GRID_SIDE}×{GRID_SIDE} grid"
    steps = ["sent the grid as made" if step == _UNCHANGED else step for step in prepared.steps]
    return replace(
        prepared,
        cells=grid.cells,
        steps=(made, *steps),
        warnings=(*prepared.warnings, *unreadable_pictures(grid.cells, prepared.width)),
    )
