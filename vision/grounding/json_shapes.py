"""Boxes and points written as JSON: `[{"bbox_2d": [x1, y1, x2, y2], "label": "cup"}]` (Qwen2.5-VL,
Qwen3-VL, what a stated-frame prompt asks for), `point_2d`, and the other keys toolkits use,
fenced or bare, whole or cut off."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vision.values.grounding import Box, Found, Point

BOX_KEYS = ("bbox_2d", "bbox", "box_2d", "box")
POINT_KEYS = ("point_2d", "point")
LABEL_KEYS = ("label", "name", "category", "object", "text")
SNIPPET_CHARS = 80
_FLAT_OBJECT = re.compile(r"\{[^{}]*\}")


def snippet(text: str) -> str:
    """The text on one line, cut to a readable length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonShapes:
    """What one piece of JSON held: its shapes, and a sentence per entry that could not be read."""

    found: tuple[Found, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the JSON had no box or point at all, readable or not."""
        return not self.found and not self.problems


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _numbers(value: Any, count: int) -> list[float] | None:
    if not isinstance(value, list):
        return None
    if len(value) == count // 2 and all(isinstance(pair, list) for pair in value):
        value = [number for pair in value for number in pair]  # [[x1, y1], [x2, y2]]
    numbers = [_number(item) for item in value]
    if len(numbers) != count or any(number is None for number in numbers):
        return None
    return [number for number in numbers if number is not None]


def _label(entry: dict[str, Any]) -> str | None:
    for key in LABEL_KEYS:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _entry(entry: dict[str, Any]) -> tuple[Found | None, str | None] | None:
    """The shape of one JSON object, or a problem; None when it names no box or point."""
    source = snippet(json.dumps(entry, ensure_ascii=False))
    for key in BOX_KEYS:
        if key in entry:
            numbers = _numbers(entry[key], 4)
            if numbers is None:
                return None, f"The entry {source} has {key!r} but not four numbers; it is skipped."
            return Found(shape=Box(*numbers), label=_label(entry), source=source), None
    for key in POINT_KEYS:
        if key in entry:
            numbers = _numbers(entry[key], 2)
            if numbers is None:
                return None, f"The entry {source} has {key!r} but not two numbers; it is skipped."
            return Found(shape=Point(*numbers), label=_label(entry), source=source), None
    return None


def _walk(value: Any) -> Iterator[tuple[Found | None, str | None]]:
    if isinstance(value, dict):
        read = _entry(value)
        if read is not None:
            yield read
            return
        for inner in value.values():
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)


def shapes_in(value: Any) -> JsonShapes:
    """The boxes and points in a decoded JSON value, at any depth."""
    found: list[Found] = []
    problems: list[str] = []
    for shape, problem in _walk(value):
        if shape is not None:
            found.append(shape)
        if problem is not None:
            problems.append(problem)
    return JsonShapes(found=tuple(found), problems=tuple(problems))


def salvage(text: str) -> JsonShapes:
    """What can still be read from JSON that does not decode (cut off by max_tokens, a loop, a
    stray character): each complete flat object, and a sentence about the rest."""
    found: list[Found] = []
    problems: list[str] = []
    rest = 0
    for match in _FLAT_OBJECT.finditer(text):
        try:
            value = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        read = shapes_in(value)
        found.extend(read.found)
        problems.extend(read.problems)
        rest = match.end()
    if not found and not problems and not any(key in text for key in (*BOX_KEYS, *POINT_KEYS)):
        return JsonShapes()
    kept = len(found)
    tail = text[rest:].strip(" \n,]}")
    problems.append(
        f"The answer's JSON does not decode (cut off or malformed); {kept} "
        f"entr{'y was' if kept == 1 else 'ies were'} read from it, and the rest "
        f"({snippet(tail) or 'nothing'}) could not be."
    )
    return JsonShapes(found=tuple(found), problems=tuple(problems))
