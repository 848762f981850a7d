"""Asking a model where something is, in its family's own documented words (docs/grounding.md);
a family with none gets a prompt that states the frame and the size the image was sent at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from vision.errors import RequestError
from vision.grounding.frames import convention_for, frame_for
from vision.values.grounding import Frame
from vision.values.image import PreparedImage
from vision.values.request import ChatRequest, RequestOptions

LocateKind = Literal["box", "point"]
MAX_TARGET_CHARS = 300
_ORIGIN = "with the origin at its top-left corner, x to the right and y down"


def _frame_sentence(frame: Frame, sent: tuple[int, int]) -> str:
    if frame.scale is None:
        return (
            f"The image is {sent[0]}×{sent[1]} pixels; give coordinates in pixels of this "
            f"image, {_ORIGIN}."
        )
    return (
        f"Give coordinates from 0 to {frame.scale:g} as fractions of the image's width (x) and "
        f"height (y) times {frame.scale:g}, {_ORIGIN}."
    )


def _stated(target: str, kind: LocateKind, frame: Frame, sent: tuple[int, int]) -> str:
    if kind == "point":
        shape = '"point_2d": [x, y]'
        meaning = "where (x, y) is a point on it, at its centre if you can"
    else:
        shape = '"bbox_2d": [x1, y1, x2, y2]'
        meaning = "where (x1, y1) is the top-left corner and (x2, y2) the bottom-right one"
    return (
        f"Locate {target} in this image. {_frame_sentence(frame, sent)} Answer with JSON only: "
        f'a list with one entry per match, [{{"label": "<what it is>", {shape}}}], {meaning}; '
        "answer [] if there is none."
    )


def _clean_target(target: str) -> str:
    cleaned = " ".join(target.split()).strip("\"'“”")
    if not cleaned:
        raise RequestError("Say what to locate (for example: every car, the red cup).")
    if len(cleaned) > MAX_TARGET_CHARS:
        raise RequestError(
            f"What to locate is {len(cleaned)} characters long; keep it under "
            f"{MAX_TARGET_CHARS} (name the thing, not the whole task)."
        )
    return cleaned


def locate_prompt(
    model: str | None,
    target: str,
    sent: tuple[int, int],
    *,
    kind: LocateKind = "box",
    frames: Mapping[str, str | Frame] | None = None,
) -> str:
    """The prompt asking `model` where `target` is in an image sent at `sent` (width, height).

    Families without a point form are asked for boxes (their centres are the points). A frame
    override changes the words only for families without a form of their own."""
    thing = _clean_target(target)
    style = convention_for(model).style
    if style == "qwen2vl":
        return f"Find <|object_ref_start|>{thing}<|object_ref_end|>"
    if style == "qwen25vl":
        if kind == "point":
            return (
                f"Locate {thing}, output its coordinates in XML format <points x y>object</points>."
            )
        return f"Locate {thing}, output its bbox coordinates using JSON format."
    if style == "qwen3vl":
        if kind == "point":
            return f"Locate {thing} in this image. Output the point coordinates in JSON format."
        return (
            f'Locate every object that matches the description "{thing}" in the image. '
            "Report bbox coordinates in JSON format."
        )
    if style == "glm4v":
        return f"Help me to locate {thing} in the image and give me its bounding boxes."
    return _stated(thing, kind, frame_for(model, frames), sent)


def locate_request(
    model: str,
    target: str,
    image: PreparedImage,
    *,
    kind: LocateKind = "box",
    frames: Mapping[str, str | Frame] | None = None,
    options: RequestOptions | None = None,
) -> ChatRequest:
    """The request asking `model` where `target` is in one prepared image."""
    prompt = locate_prompt(model, target, (image.width, image.height), kind=kind, frames=frames)
    return ChatRequest.asking(model, prompt, (image.as_ref(),), options)
