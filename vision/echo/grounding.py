"""The echo's answer to a locate question: the shapes it sees in the image, written the way the
model's family writes boxes and points, in that family's frame (docs/grounding.md).

The echo recognises each family's documented prompt (and the stated-frame prompt of families
with none), finds the solid shapes in the first image (shapes.py), keeps those whose colour or
kind the question names, and answers as the family would: Qwen2-VL's marked references in
thousandths, Qwen2.5-VL's JSON (or points XML) in pixels of what its processor made of the image,
Qwen3-VL's JSON in thousandths, GLM's marked box list in thousandths, and for the others JSON in
the frame their prompt states. A stated relative frame is answered relative to the whole input
the model read, padding included: the trap a padded tile canvas sets. With the request field
skip_special_tokens true (vLLM's), the marker tokens are stripped, as such servers do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from vision.echo.contract import ChatCall
from vision.echo.images import ReceivedImage
from vision.echo.shapes import COLOUR_NAMES, SeenShape, find_shapes
from vision.images.families import family_of
from vision.images.model_input import model_input
from vision.images.pixels import DECODE_FAILURES

SPECIAL_TOKENS = (
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|begin_of_box|>",
    "<|end_of_box|>",
)
_QUESTIONS: tuple[tuple[str, bool], ...] = (  # (pattern, asks for points)
    (r"Find <\|object_ref_start\|>(?P<target>.+?)<\|object_ref_end\|>", False),
    (r"Locate (?P<target>.+?), output its bbox coordinates using JSON format", False),
    (r"Locate (?P<target>.+?), output its coordinates in XML format", True),
    (r'Locate every object that matches the description "(?P<target>.+?)" in the image', False),
    (r'Locate every instance that belongs to the following categories: "(?P<target>.+?)"', False),
    (r"Locate (?P<target>.+?) in this image\. Output the point coordinates in JSON", True),
    (r"Help me to locate (?P<target>.+?) in the image and give me its bounding boxes", False),
    (r"Locate (?P<target>.+?) in this image\. (?:The image is|Give coordinates)", False),
)
_KINDS = {
    "rectangle": "rectangle",
    "square": "rectangle",
    "box": "rectangle",
    "circle": "circle",
    "disc": "circle",
    "dot": "circle",
    "ball": "circle",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Question:
    target: str
    points: bool
    stated_scale: float | None  # a stated relative frame's scale; None: pixels as sent


def _question(prompt: str) -> _Question | None:
    for pattern, points in _QUESTIONS:
        match = re.search(pattern, prompt, re.DOTALL)
        if match is None:
            continue
        scale = re.search(r"Give coordinates from 0 to ([\d.]+)", prompt)
        return _Question(
            target=match.group("target").strip(),
            points=points or '"point_2d"' in prompt,
            stated_scale=float(scale.group(1)) if scale else None,
        )
    return None


def _wanted(shapes: list[SeenShape], target: str) -> list[SeenShape]:
    words = set(re.findall(r"[a-z]+", target.lower().replace("gray", "grey")))
    colours = words & set(COLOUR_NAMES)
    kinds = {_KINDS[word] for word in words if word in _KINDS}
    return [
        shape
        for shape in shapes
        if (not colours or shape.colour in colours) and (not kinds or shape.kind in kinds)
    ]


def _ints(values: list[float]) -> list[float]:
    return [float(round(value)) for value in values]


def _corners(shape: SeenShape) -> list[float]:
    return [shape.x1, shape.y1, shape.x2, shape.y2]


def _centre(shape: SeenShape) -> list[float]:
    return [(shape.x1 + shape.x2) / 2, (shape.y1 + shape.y2) / 2]


Scale = Callable[[list[float]], list[float]]


def _json_list(entries: list[str]) -> str:
    return "```json\n[\n" + ",\n".join(f"  {entry}" for entry in entries) + "\n]\n```"


def _json_answer(shapes: list[SeenShape], points: bool, scale: Scale) -> str:
    key, pick = ("point_2d", _centre) if points else ("bbox_2d", _corners)
    entries = [
        f'{{"{key}": [{", ".join(f"{value:g}" for value in scale(pick(shape)))}], '
        f'"label": "{shape.label}"}}'
        for shape in shapes
    ]
    return _json_list(entries)


def _answer(
    call: ChatCall, image: ReceivedImage, question: _Question, shapes: list[SeenShape]
) -> str:
    width, height = image.width, image.height
    family = family_of(call.model.id)
    name = family.name if family else ""
    seen = model_input(call.model.id, width, height)

    def thousandths(values: list[float]) -> list[float]:
        return [
            round(value / (width if index % 2 == 0 else height) * 1000)
            for index, value in enumerate(values)
        ]

    if name == "Qwen2-VL":
        if not shapes:
            return f"There is no {question.target} in the image."
        return "\n".join(
            f"<|object_ref_start|>{shape.label}<|object_ref_end|><|box_start|>"
            f"({x1},{y1}),({x2},{y2})<|box_end|>"
            for shape in shapes
            for x1, y1, x2, y2 in [thousandths(_corners(shape))]
        )
    if name == "GLM-4.xV":
        if not shapes:
            return f"There is no {question.target} in the image."
        boxes = ",".join(
            "[" + ",".join(f"{value:g}" for value in thousandths(_corners(shape))) + "]"
            for shape in shapes
        )
        return f"Found {question.target}: <|begin_of_box|>[{boxes}]<|end_of_box|>"
    if name == "Qwen2.5-VL":

        def seen_pixels(values: list[float]) -> list[float]:
            factors = (seen.width / width, seen.height / height)
            return _ints([value * factors[index % 2] for index, value in enumerate(values)])

        if question.points:
            return " ".join(
                f'<points x1="{x:g}" y1="{y:g}" alt="{shape.label}">{shape.label}</points>'
                for shape in shapes
                for x, y in [seen_pixels(_centre(shape))]
            )
        return _json_answer(shapes, False, seen_pixels)
    if name == "Qwen3-VL":
        return _json_answer(shapes, question.points, thousandths)
    if question.stated_scale is None:
        return _json_answer(shapes, question.points, _ints)
    stated = question.stated_scale

    def of_canvas(values: list[float]) -> list[float]:
        # The picture sits in the canvas's top-left corner, scaled to picture_width.
        factors = (
            seen.picture_width / width / seen.width * stated,
            seen.picture_height / height / seen.height * stated,
        )
        scaled = [value * factors[index % 2] for index, value in enumerate(values)]
        return [round(value, 4) for value in scaled] if stated <= 1 else _ints(scaled)

    return _json_answer(shapes, question.points, of_canvas)


def locate_reply(call: ChatCall) -> str | None:
    """The answer to a locate question about an inline image, or None for any other request."""
    question = _question(call.prompt)
    images = [image for image in call.images if image.data]
    if question is None or not images:
        return None
    try:
        seen = find_shapes(images[0].data)
    except DECODE_FAILURES:
        seen = []  # checked as an image already; an undecodable one simply shows nothing
    text = _answer(call, images[0], question, _wanted(seen, question.target))
    if call.skip_special_tokens:
        for token in SPECIAL_TOKENS:
            text = text.replace(token, "")
    return text
