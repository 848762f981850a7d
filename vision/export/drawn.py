"""A kept run's boxes and points drawn over its original photo, upright, for a download or a
file: read from its answer in the frame it was asked in, with the item's reference boxes when
it has them. The page and the command line call the same function."""

from __future__ import annotations

from vision.errors import HistoryError, RequestError
from vision.grounding.reading import read_run
from vision.history.replay import find_original
from vision.history.store import HistoryStore
from vision.images.drawing import DrawFormat, Mark, draw_marks
from vision.values.run import Run

REFERENCE_LABEL = "expected"


def run_marks(run: Run, *, picture: int = 0, references: bool = True) -> list[Mark]:
    """What to draw on one picture of a run (0 unless it was a stitched grid): the answer's
    boxes and points with the model's labels, then the reference boxes, labelled as expected."""
    answer = read_run(run)
    if answer is None:
        raise RequestError(
            "This run's boxes cannot be drawn: it failed, or its image was sent by URL or kept "
            "before the history kept image sizes."
        )
    marks = [
        Mark(shape=item.shape, label=item.label or "", clipped=item.clipped)
        for item in answer.located
        if item.image == picture
    ]
    if references and run.locate is not None and picture == 0:
        marks += [
            Mark(
                shape=reference.box,
                label=f"{REFERENCE_LABEL}: {reference.label}"
                if reference.label
                else REFERENCE_LABEL,
            )
            for reference in run.locate.references
        ]
    return marks


def drawn_run(
    store: HistoryStore,
    run: Run,
    *,
    picture: int = 0,
    references: bool = True,
    fmt: DrawFormat = "PNG",
    max_side: int | None = None,
) -> bytes:
    """The run's original photo (picture `picture` of a stitched grid) with its boxes drawn,
    as PNG or JPEG bytes; a sentence when the original was not kept or cannot be drawn on."""
    marks = run_marks(run, picture=picture, references=references)
    stitched = any(image.cells for image in run.images)
    # A stitched grid's boxes are on its pictures, which the run keeps as what was attached.
    pictures = sorted(run.sources if stitched else run.images, key=lambda image: image.position)
    if not 0 <= picture < len(pictures):
        raise RequestError(f"This run has no picture {picture + 1}; pick one of its images.")
    kept = find_original(store, pictures[picture])
    if isinstance(kept, str):
        raise HistoryError(kept)  # a file vision eval named has changed or is gone
    if kept is None:
        raise HistoryError(
            "The original of this run's image was not kept in the history, so nothing can be "
            "drawn on it; add the image again on the Playground page."
        )
    return draw_marks(kept.data, marks, fmt=fmt, max_side=max_side)
