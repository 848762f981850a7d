"""An answer read for boxes and points and put on the original image it was asked about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from vision.grounding.frames import frame_for
from vision.grounding.mapping import place
from vision.grounding.parsing import parse_answer
from vision.images.model_input import model_input
from vision.values.grounding import Frame, Located, LocatedAnswer
from vision.values.image import ImageOrigin, PreparedImage
from vision.values.run import Run


class _Sent(Protocol):
    """An image as a model received it (its prepared version)."""

    @property
    def prepared(self) -> PreparedImage: ...


SentT = TypeVar("SentT", bound=_Sent)


def read_answer(
    text: str,
    image: PreparedImage | ImageOrigin,
    *,
    model: str | None = None,
    frames: Mapping[str, str | Frame] | None = None,
) -> LocatedAnswer:
    """Every box and point of `text`, an answer about `image` (a prepared image, or a kept
    run's record of one), on its original image.

    `model` defaults to the one a prepared image was prepared for; its frame is its family's
    unless `frames` overrides it for that model id (docs/grounding.md)."""
    asked = model
    if isinstance(image, PreparedImage):
        asked = model if model is not None else image.model
        prepared = image.origin
    else:
        prepared = image
    frame = frame_for(asked, frames)
    seen = model_input(asked, prepared.width, prepared.height)
    parsed = parse_answer(text)
    located: list[Located] = []
    problems = list(parsed.problems)
    for found in parsed.found:
        placed = place(found, frame, prepared, seen)
        if placed.located is not None:
            located.append(placed.located)
        if placed.problem is not None:
            problems.append(placed.problem)
    return LocatedAnswer(
        frame=frame,
        sent_size=(prepared.width, prepared.height),
        input_size=(seen.width, seen.height),
        located=tuple(located),
        problems=tuple(problems),
    )


def read_run(run: Run) -> LocatedAnswer | None:
    """A kept run's answer on the original of its first image (a stitched grid's pictures
    included), read in the frame the run recorded, else its family's; None when the run failed
    or its image record cannot map back (sent by URL, or kept before schema 9)."""
    origin = next((image.origin for image in run.images if image.position == 0), None)
    if run.failed or origin is None:
        return None
    frames = {run.model: run.frame} if run.frame else None
    return read_answer(run.answer, origin, model=run.model, frames=frames)


def read_sent(
    text: str, sent: Sequence[PreparedImage], *, model: str, frame: str | None = None
) -> LocatedAnswer | None:
    """The boxes and points of `model`'s answer on the original of the one image it was sent,
    read in `frame` when the run recorded one; None when it got no single image whose
    preparation is known (several, or a URL sent as is)."""
    if len(sent) != 1:
        return None
    frames = {model: frame} if frame else None
    return read_answer(text, sent[0], model=model, frames=frames)


def drawn_on(sent: tuple[SentT, ...], attached: tuple[SentT, ...]) -> tuple[SentT, ...]:
    """What an answer's boxes are drawn on: a stitched grid's pictures (`attached`), else the
    image sent."""
    if sent and sent[0].prepared.cells:
        return attached
    return sent
