"""Grounding items scored from a kept run (docs/metrics.md, "Grounding"): its answer read for
boxes and points in the one frame the run was asked in, on the original image, against the
item's reference boxes.

- iou: the answer's first box against the one reference box; value IoU, passed at IoU ≥ 0.5
  (Acc@0.5 as RefCOCO counts it, mean IoU over items with misses at 0).
- point: the answer's first point (else its first box's centre) in the reference box.
- detection: every box of the answer matched to the references at IoU ≥ 0.5 as pycocotools
  matches; the item passes when every reference is found and nothing else is.
"""

from __future__ import annotations

from typing import Literal

from vision.grounding.reading import read_run
from vision.grounding.scores import (
    ACC_THRESHOLD,
    Detection,
    DetectionScores,
    detection_scores,
    iou,
    match_detections,
    point_in_box,
)
from vision.scoring.metrics import Score
from vision.values.grounding import Box, GroundingTask, LocatedAnswer, Point
from vision.values.run import Run

GroundingMetric = Literal["iou", "point", "detection"]
GROUNDING_METRICS: tuple[GroundingMetric, ...] = ("iou", "point", "detection")
# The items each metric scores: a pointing metric can score a box item by its box's centre.
SCORED_TASKS: dict[GroundingMetric, tuple[GroundingTask, ...]] = {
    "iou": ("box",),
    "point": ("point", "box"),
    "detection": ("detection",),
}
_UNMAPPED = (
    "its image record cannot map boxes back (an image sent by URL, or one kept before the "
    "history kept image sizes)"
)


def _numbers(values: list[float]) -> str:
    return "[" + ", ".join(f"{value:.0f}" for value in values) + "]"


def _nothing(answer: LocatedAnswer | None, what: str) -> str:
    if answer is None:
        return f"no {what}: {_UNMAPPED}"
    problem = f" ({answer.problems[0]})" if answer.problems else ""
    return f"no {what} could be read{problem}"


def _iou_score(answer: LocatedAnswer | None, truth: Box) -> Score:
    boxes = answer.boxes if answer is not None else ()
    if not boxes:
        return Score(value=0.0, passed=False, how=_nothing(answer, "box"))
    first = boxes[0].shape
    assert isinstance(first, Box)
    overlap = iou(first, truth)
    extra = f", first of {len(boxes)}" if len(boxes) > 1 else ""
    return Score(
        value=overlap,
        passed=overlap >= ACC_THRESHOLD,
        how=f"IoU {overlap:.3f}: box {_numbers(first.as_list())}{extra}",
    )


def _point_score(answer: LocatedAnswer | None, truth: Box) -> Score:
    point: Point | None = None
    if answer is not None and answer.points:
        shape = answer.points[0].shape
        point = shape if isinstance(shape, Point) else None
    elif answer is not None and answer.boxes:
        shape = answer.boxes[0].shape
        point = shape.center if isinstance(shape, Box) else None
    if point is None:
        return Score(value=0.0, passed=False, how=_nothing(answer, "point or box"))
    inside = point_in_box(point, truth)
    where = "in" if inside else "outside"
    return Score(
        value=float(inside),
        passed=inside,
        how=f"point {_numbers(point.as_list())} {where} the reference box",
    )


def _detection_score(answer: LocatedAnswer | None, references: list[Detection]) -> Score:
    predictions = [
        Detection(box=item.shape, label=item.label)
        for item in (answer.boxes if answer is not None else ())
        if isinstance(item.shape, Box)
    ]
    counts = detection_scores([match_detections(predictions, references)])
    found, extra = counts.true_positives, counts.predictions - counts.true_positives
    perfect = found == counts.references and extra == 0
    how = f"{found} of {counts.references} reference boxes found, {extra} other boxes"
    if answer is None or (not predictions and answer.problems):
        how += f"; {_nothing(answer, 'box')}"
    return Score(
        value=1.0 if perfect else counts.f1,
        passed=perfect,
        how=how,
        detection=counts,
    )


def grounding_score(run: Run, metric: GroundingMetric) -> Score | None:
    """A run's score under a grounding metric; None when its item is not one the metric
    scores (no reference boxes, another task). A failed run, or an answer with nothing
    readable, is a miss (IoU 0, every reference unfound)."""
    task = run.locate
    if task is None or task.task not in SCORED_TASKS[metric]:
        return None
    boxes = [reference.box for reference in task.references]
    if metric != "detection" and len(boxes) != 1:
        return None
    if run.failed:
        misses = DetectionScores(true_positives=0, predictions=0, references=len(boxes))
        return Score(
            value=0.0,
            passed=False,
            how=run.error or "",
            detection=misses if metric == "detection" else None,
        )
    answer = read_run(run)
    if metric == "iou":
        return _iou_score(answer, boxes[0])
    if metric == "point":
        return _point_score(answer, boxes[0])
    references = [
        Detection(box=reference.box, label=reference.label) for reference in task.references
    ]
    return _detection_score(answer, references)
