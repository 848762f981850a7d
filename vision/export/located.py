"""Boxes and points of an answer as plain JSON-able data: each in the original image's upright
pixels and as the model wrote it in its own frame, with the frame and the sizes the mapping
went through, and each part of the answer that could not be read."""

from __future__ import annotations

from typing import Any

from vision.values.grounding import Box, LocatedAnswer


def _rounded(values: list[float]) -> list[float]:
    return [round(value, 1) for value in values]


def located_record(answer: LocatedAnswer) -> dict[str, Any]:
    """The answer's boxes and points: `original` in the original's pixels (rounded to a tenth),
    `as_written` in the model's frame, the frame's name and meaning, the sizes sent and read."""
    shapes = []
    for item in answer.located:
        entry: dict[str, Any] = {
            "label": item.label,
            "kind": "box" if isinstance(item.shape, Box) else "point",
            "original": _rounded(item.shape.as_list()),
            "as_written": item.found.shape.as_list(),
            "clipped": item.clipped,
        }
        if item.image:
            entry["picture"] = item.image + 1
        if item.note:
            entry["note"] = item.note
        shapes.append(entry)
    return {
        "frame": {"name": answer.frame.name, "description": answer.frame.description},
        "sent_size": list(answer.sent_size),
        "input_size": list(answer.input_size),
        "located": shapes,
        "problems": list(answer.problems),
    }
