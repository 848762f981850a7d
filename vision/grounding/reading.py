"""An answer read for boxes and points and put on the original image it was asked about."""

from __future__ import annotations

from collections.abc import Mapping

from vision.grounding.frames import frame_for
from vision.grounding.mapping import place
from vision.grounding.parsing import parse_answer
from vision.images.model_input import model_input
from vision.values.grounding import Frame, Located, LocatedAnswer
from vision.values.image import PreparedImage


def read_answer(
    text: str,
    prepared: PreparedImage,
    *,
    model: str | None = None,
    frames: Mapping[str, str | Frame] | None = None,
) -> LocatedAnswer:
    """Every box and point of `text`, an answer about `prepared`, on its original image.

    `model` defaults to the one the image was prepared for; its frame is its family's unless
    `frames` overrides it for that model id (docs/grounding.md)."""
    asked = model if model is not None else prepared.model
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
