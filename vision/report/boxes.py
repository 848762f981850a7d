"""A grounding answer shown in the report: the run's thumbnail with the reference boxes and the
boxes and points the model gave drawn over it as inline SVG, in the original's pixels (the
thumbnail is the sent image, upright, so the original's frame stretched over it lines up), and
a line listing each in numbers. Plain markup: nothing is fetched, nothing runs."""

from __future__ import annotations

import base64
from html import escape

from vision.grounding.reading import read_run
from vision.values.grounding import Box, Point, Shape
from vision.values.run import Run

SIDE = 200
# Each shape is a colour over a black outline, so it reads on light and dark photos alike.
REFERENCE = "#ffb000"  # amber, dashed: what the item expects
ANSWER = "#00c8ff"  # cyan, solid: what the model gave
LEGEND = "dashed amber: reference · solid cyan: the model's answer"


def _numbers(values: list[float]) -> str:
    return "[" + ", ".join(f"{value:.0f}" for value in values) + "]"


def _shape(shape: Shape, colour: str, line: float, *, dashed: bool = False) -> str:
    if isinstance(shape, Point):
        return (
            f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{line * 3:.1f}" fill="{colour}" '
            f'stroke="#000" stroke-width="{line / 2:.1f}"/>'
        )
    dash = f' stroke-dasharray="{line * 4:.1f} {line * 2:.1f}"' if dashed else ""
    corners = (
        f'x="{shape.x1:.1f}" y="{shape.y1:.1f}" width="{shape.width:.1f}" '
        f'height="{shape.height:.1f}" fill="none"'
    )
    return (
        f'<rect {corners} stroke="#000" stroke-width="{line * 2:.1f}"{dash}/>'
        f'<rect {corners} stroke="{colour}" stroke-width="{line:.1f}"{dash}/>'
    )


def _given(run: Run) -> list[Shape]:
    answer = read_run(run)
    return [item.shape for item in answer.located] if answer is not None else []


def boxes_facts(run: Run) -> str:
    """Each reference box and each box or point of the answer, in original pixels (escaped
    HTML); empty for a run that asked to locate nothing."""
    if run.locate is None:
        return ""
    facts = [
        f"reference {_numbers(reference.box.as_list())}"
        + (f" {escape(reference.label)}" if reference.label else "")
        for reference in run.locate.references
    ]
    for shape in _given(run):
        kind = "box" if isinstance(shape, Box) else "point"
        facts.append(f"answer {kind} {_numbers(shape.as_list())}")
    return " · ".join(facts) or "no boxes"


def boxes_figure(run: Run) -> str | None:
    """The run's thumbnail with its reference boxes and its answer's boxes and points drawn
    over it; None when it asked to locate nothing, or has no thumbnail or sizes to draw on."""
    image = next((image for image in run.images if image.position == 0), None)
    origin = image.origin if image is not None else None
    if run.locate is None or image is None or origin is None or not image.thumbnail:
        return None
    width, height = origin.original_width, origin.original_height
    line = max(width, height) / SIDE
    shapes = [
        _shape(reference.box, REFERENCE, line, dashed=True) for reference in run.locate.references
    ]
    shapes += [_shape(shape, ANSWER, line) for shape in _given(run)]
    encoded = base64.b64encode(image.thumbnail).decode()
    # In a block of its own: as a flex item it would stretch to the row's height, and the
    # overlay with it.
    return (
        f'<div style="flex:none;width:{SIDE}px"><div style="position:relative">'
        f'<img alt="" style="width:{SIDE}px;height:auto;display:block" '
        f'src="data:image/jpeg;base64,{encoded}">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" role="img" aria-label="{LEGEND}" '
        'style="position:absolute;left:0;top:0;width:100%;height:100%">'
        + "".join(shapes)
        + "</svg></div></div>"
    )
