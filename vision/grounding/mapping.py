"""A model's coordinates taken back to the original image, step by step through what happened
to it: the frame → the image the model read → the image as sent → the original, upright (each
axis by its own factor) → the picture of a stitched grid it falls on. Every step is a scale and
an offset per axis, so a box is mapped by its two corners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vision.images.model_input import ModelInput
from vision.values.grounding import Box, Found, Frame, Located, Point, Shape
from vision.values.image import GridCell, ImageOrigin

PointMap = Callable[[float, float], tuple[float, float]]


def _apply(shape: Shape, move: PointMap) -> Shape:
    if isinstance(shape, Point):
        return Point(*move(shape.x, shape.y))
    x1, y1 = move(shape.x1, shape.y1)
    x2, y2 = move(shape.x2, shape.y2)
    return Box(x1, y1, x2, y2).ordered()


def frame_to_sent(shape: Shape, frame: Frame, sent: tuple[int, int], seen: ModelInput) -> Shape:
    """The shape in pixels of the image as sent (sent = its width and height), from numbers
    written in `frame` by a model that read `seen`."""
    sent_w, sent_h = sent
    if frame.space == "input":
        if frame.scale is None:
            scale_x = scale_y = 1.0
        else:
            scale_x, scale_y = seen.width / frame.scale, seen.height / frame.scale
        # From the canvas's pixels to the picture's (padding is right and bottom only).
        factor_x = scale_x * sent_w / seen.picture_width
        factor_y = scale_y * sent_h / seen.picture_height
        return _apply(shape, lambda x, y: (x * factor_x, y * factor_y))
    if frame.scale is None:
        return shape
    scale = frame.scale
    return _apply(shape, lambda x, y: (x / scale * sent_w, y / scale * sent_h))


def sent_to_original(shape: Shape, prepared: ImageOrigin) -> Shape:
    """The shape in pixels of the original, upright: the resize had one factor per axis."""
    factor_x = prepared.original_width / prepared.width
    factor_y = prepared.original_height / prepared.height
    return _apply(shape, lambda x, y: (x * factor_x, y * factor_y))


def to_stored(shape: Shape, orientation: int, upright: tuple[int, int]) -> Shape:
    """The shape in the pixels of the file as stored, before its EXIF `orientation` turned it
    upright (`upright` is the upright width and height): what an editor ignoring EXIF shows."""
    width, height = upright
    # Each entry undoes pixels.UPRIGHT's transpose: (x, y) upright → (x, y) as stored.
    undo: dict[int, PointMap] = {
        2: lambda x, y: (width - x, y),
        3: lambda x, y: (width - x, height - y),
        4: lambda x, y: (x, height - y),
        5: lambda x, y: (y, x),
        6: lambda x, y: (y, width - x),
        7: lambda x, y: (height - y, width - x),
        8: lambda x, y: (height - y, x),
    }
    move = undo.get(orientation)
    return shape if move is None else _apply(shape, move)


@dataclass(frozen=True, slots=True, kw_only=True)
class Placed:
    """Where a shape ended up: on which picture, clipped or not, or why it could not be placed."""

    located: Located | None
    problem: str | None = None


def _describe(shape: Shape) -> str:
    numbers = ", ".join(f"{value:g}" for value in shape.as_list())
    return f"[{numbers}]"


def _clip(found: Found, shape: Shape, bounds: Box, image: int, where: str) -> Placed:
    if isinstance(shape, Point):
        inside = bounds.x1 <= shape.x <= bounds.x2 and bounds.y1 <= shape.y <= bounds.y2
        if inside:
            return Placed(located=Located(found=found, shape=shape, image=image))
        return Placed(
            located=None,
            problem=f"The point {_describe(found.shape)} falls outside {where}; it is not drawn.",
        )
    clipped = Box(
        min(max(shape.x1, bounds.x1), bounds.x2),
        min(max(shape.y1, bounds.y1), bounds.y2),
        min(max(shape.x2, bounds.x1), bounds.x2),
        min(max(shape.y2, bounds.y1), bounds.y2),
    )
    if clipped.area <= 0 and shape.area > 0:
        return Placed(
            located=None,
            problem=(
                f"The box {_describe(found.shape)} lies wholly outside {where}; it is not drawn."
            ),
        )
    if clipped == shape:
        return Placed(located=Located(found=found, shape=shape, image=image))
    note = f"This box reached past the edge of {where} and was clipped to it."
    return Placed(located=Located(found=found, shape=clipped, image=image, clipped=True, note=note))


def _cell_at(cells: tuple[GridCell, ...], shape: Shape) -> int | None:
    anchor = shape.center if isinstance(shape, Box) else shape
    return next(
        (index for index, cell in enumerate(cells) if cell.contains(anchor.x, anchor.y)), None
    )


def place(found: Found, frame: Frame, prepared: ImageOrigin, seen: ModelInput) -> Placed:
    """One shape an answer gave, on the original image (or on the grid's picture it falls on),
    clipped to it and said so; or the sentence saying why it could not be placed."""
    sent = frame_to_sent(found.shape, frame, (prepared.width, prepared.height), seen)
    original = sent_to_original(sent, prepared)
    if not prepared.cells:
        bounds = Box(0, 0, prepared.original_width, prepared.original_height)
        return _clip(found, original, bounds, 0, "the image")
    index = _cell_at(prepared.cells, original)
    if index is None:
        return Placed(
            located=None,
            problem=(
                f"The {'box' if isinstance(found.shape, Box) else 'point'} "
                f"{_describe(found.shape)} is on none of the stitched pictures; it is not drawn."
            ),
        )
    cell = prepared.cells[index]
    bounds = Box(cell.left, cell.top, cell.left + cell.width, cell.top + cell.height)
    placed = _clip(found, original, bounds, index, f"picture {index + 1}")
    if placed.located is None:
        return placed
    factor_x = cell.source_width / cell.width
    factor_y = cell.source_height / cell.height
    shape = _apply(
        placed.located.shape,
        lambda x, y: ((x - cell.left) * factor_x, (y - cell.top) * factor_y),
    )
    return Placed(
        located=Located(
            found=found,
            shape=shape,
            image=index,
            clipped=placed.located.clipped,
            note=placed.located.note,
        )
    )
