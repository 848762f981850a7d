"""A grounding item's fields: what to locate, as which task, and its reference boxes in the
original image's upright pixels (docs/evaluation.md, "Grounding items").

`box` is two corners, [x1, y1, x2, y2]; `bbox` is COCO's [x, y, width, height], as RefCOCO's
files write it; `boxes` lists a detection item's boxes, each a list or {"box"|"bbox": ...,
"label": ...}. A CSV cell holds the same JSON, or four numbers."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from vision.errors import RequestError
from vision.values.grounding import GROUNDING_TASKS, Box, GroundingTask, LocateTask, Reference

EXPRESSION_FIELD = "expression"
BOX_FIELDS = ("box", "bbox")
MAX_REFERENCES = 500


def _parsed(value: Any) -> Any:
    """A CSV cell's JSON (a list or an object), or four numbers; other values as they are."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith(("[", "{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    parts = [part for part in re.split(r"[\s,;]+", text) if part]
    return parts if len(parts) == 4 else text


def _numbers(value: Any, where: str, field: str) -> list[float]:
    listed = _parsed(value)
    try:
        numbers = [float(number) for number in listed] if isinstance(listed, list) else []
    except (TypeError, ValueError):
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(number) for number in numbers):
        raise RequestError(
            f"{where} has a {field} that is not four numbers ({str(value)[:60]}); write "
            '"box": [x1, y1, x2, y2] in the original image\'s pixels.'
        )
    return numbers


def _box(fields: Mapping[str, Any], where: str) -> Box | None:
    """The box of an object or row: `box` as corners, `bbox` as COCO's [x, y, w, h]."""
    if fields.get("box") not in (None, ""):
        x1, y1, x2, y2 = _numbers(fields["box"], where, "box")
        found = Box(x1, y1, x2, y2)
    elif fields.get("bbox") not in (None, ""):
        x, y, width, height = _numbers(fields["bbox"], where, "bbox")
        found = Box(x, y, x + width, y + height)
    else:
        return None
    if found.area <= 0 or min(found.x1, found.y1) < 0:
        raise RequestError(
            f"{where} has an empty or negative box {found.as_list()}; a box is [x1, y1, x2, y2] "
            "with x1 < x2 and y1 < y2 in pixels (bbox is [x, y, width, height])."
        )
    return found


def _label(entry: Mapping[str, Any]) -> str | None:
    """A listed box's label: `label`, or COCO's `category`."""
    value = entry.get("label", entry.get("category"))
    text = str(value).strip() if value is not None else ""
    return text or None


def _references(fields: Mapping[str, Any], where: str) -> list[Reference]:
    listed = _parsed(fields.get("boxes"))
    if listed in (None, ""):
        single = _box(fields, where)
        label = str(fields.get("label") or "").strip() or None
        return [] if single is None else [Reference(box=single, label=label)]
    if not isinstance(listed, list):
        raise RequestError(f"{where} has boxes that are not a list; write a JSON list of boxes.")
    if len(listed) > MAX_REFERENCES:
        raise RequestError(
            f"{where} lists {len(listed)} boxes; keep it to {MAX_REFERENCES} or split the item."
        )
    found = []
    for number, entry in enumerate(listed, start=1):
        place = f"{where}, box {number},"
        if isinstance(entry, Mapping):
            box = _box({str(key).lower(): value for key, value in entry.items()}, place)
            if box is None:
                raise RequestError(f"{place} has neither a box nor a bbox; give one of them.")
            found.append(Reference(box=box, label=_label(entry)))
        else:
            x1, y1, x2, y2 = _numbers(entry, place, "box")
            found.append(Reference(box=Box(x1, y1, x2, y2)))
    return found


def _task(fields: Mapping[str, Any], where: str, references: list[Reference]) -> GroundingTask:
    named = str(fields.get("task") or "").strip().lower()
    if not named:
        return "detection" if fields.get("boxes") not in (None, "") else "box"
    if named not in GROUNDING_TASKS:
        raise RequestError(
            f"{where} has the task {named!r}; use one of {', '.join(GROUNDING_TASKS)}."
        )
    task = next(known for known in GROUNDING_TASKS if known == named)
    if task != "detection" and len(references) != 1:
        raise RequestError(
            f"{where} is a {task} item with {len(references)} reference boxes; give it exactly "
            "one box, or make it a detection item."
        )
    return task


def _every(references: list[Reference]) -> str | None:
    labels = list(dict.fromkeys(reference.label for reference in references if reference.label))
    return " and ".join(f"every {label}" for label in labels) or None


def locate_task(fields: Mapping[str, Any], where: str) -> LocateTask | None:
    """The row's grounding task (keys in lower case), or None when it is not a grounding item.

    A detection item without an expression asks for every labelled kind ("every car and every
    person"); a grounding item is asked in each model's own words, so it takes no prompt."""
    references = _references(fields, where)
    expression = str(fields.get(EXPRESSION_FIELD) or "").strip()
    if not expression and not references and not fields.get("task"):
        return None
    task = _task(fields, where, references)
    if not references and task != "detection":
        raise RequestError(
            f"{where} asks to locate {expression or 'something'} with no reference box; add "
            '"box": [x1, y1, x2, y2] in the original image\'s pixels.'
        )
    expression = expression or (_every(references) if task == "detection" else None) or ""
    if not expression:
        raise RequestError(
            f'{where} gives boxes but no expression; add "expression": what to locate.'
        )
    if fields.get("prompt") or fields.get("question"):
        raise RequestError(
            f"{where} has both a question and an expression; a grounding item is asked in each "
            "model's own words, so leave the question out."
        )
    return LocateTask(task=task, target=expression, references=tuple(references))
