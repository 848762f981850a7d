"""Grounding scores, as the toolkits people compare with define them (docs/grounding.md):
IoU, Acc@0.5 and mean IoU for one box per expression; point-in-box; precision and recall of a
list of boxes at IoU 0.5, matched greedily as pycocotools' COCOeval.evaluateImg matches.

Every prediction is read in its model's one frame before it gets here: none of these tries
several frames and keeps the best, which inflates scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vision.values.grounding import Box, Point

ACC_THRESHOLD = 0.5
# COCOeval compares against min(threshold, 1 − 1e-10), so a threshold of 1 still matches.
_COCO_CEILING = 1 - 1e-10


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes; 0 when they do not overlap or have no area."""
    a, b = a.ordered(), b.ordered()
    inter_w = min(a.x2, b.x2) - max(a.x1, b.x1)
    inter_h = min(a.y2, b.y2) - max(a.y1, b.y1)
    if inter_w <= 0 or inter_h <= 0:
        return 0.0
    inter = inter_w * inter_h
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class BoxScores:
    """One box per expression: how many were asked, Acc@0.5 and mean IoU (misses count 0)."""

    items: int
    hits: int
    mean_iou: float

    @property
    def accuracy(self) -> float:
        """Acc@0.5: the share of expressions whose first box has IoU ≥ 0.5."""
        return self.hits / self.items if self.items else 0.0


def box_scores(
    pairs: Sequence[tuple[Box | None, Box]], threshold: float = ACC_THRESHOLD
) -> BoxScores:
    """Scores of (predicted, reference) pairs; a prediction of None (nothing readable) is a
    miss with IoU 0, as both toolkits count it."""
    overlaps = [0.0 if predicted is None else iou(predicted, truth) for predicted, truth in pairs]
    return BoxScores(
        items=len(overlaps),
        hits=sum(1 for overlap in overlaps if overlap >= threshold),
        mean_iou=sum(overlaps) / len(overlaps) if overlaps else 0.0,
    )


def point_in_box(point: Point | None, truth: Box) -> bool:
    """True when the point lies in the box, edges included (None: a miss)."""
    if point is None:
        return False
    box = truth.ordered()
    return box.x1 <= point.x <= box.x2 and box.y1 <= point.y <= box.y2


def point_accuracy(pairs: Sequence[tuple[Point | None, Box]]) -> float:
    """The share of (predicted point, reference box) pairs whose point is in the box."""
    if not pairs:
        return 0.0
    return sum(1 for point, truth in pairs if point_in_box(point, truth)) / len(pairs)


@dataclass(frozen=True, slots=True, kw_only=True)
class Detection:
    """A box with its label and, when the model gave one, its confidence."""

    box: Box
    label: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Matching:
    """One image's predictions matched to its references: (prediction, reference) index pairs,
    and the counts precision and recall are made of."""

    pairs: tuple[tuple[int, int], ...]
    predictions: int
    references: int

    @property
    def true_positives(self) -> int:
        """Predictions matched to a reference."""
        return len(self.pairs)


def _order(predictions: Sequence[Detection]) -> list[int]:
    """Highest score first, ties (and a list without scores) in the given order: COCOeval's
    stable sort on −score."""
    indices = list(range(len(predictions)))
    if all(prediction.score is None for prediction in predictions):
        return indices
    return sorted(indices, key=lambda index: -(predictions[index].score or 0.0))


def match_detections(
    predictions: Sequence[Detection],
    references: Sequence[Detection],
    threshold: float = ACC_THRESHOLD,
    *,
    by_label: bool = False,
) -> Matching:
    """Greedy matching as COCOeval.evaluateImg: each prediction in turn takes the still
    unmatched reference with the highest IoU ≥ threshold (a later reference wins a tie, as
    evaluateImg's loop does); each reference is matched at most once. With by_label, only a
    reference of the same label can match (COCO's per-category evaluation)."""
    floor = min(threshold, _COCO_CEILING)
    taken: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for index in _order(predictions):
        prediction = predictions[index]
        best, best_iou = -1, floor
        for ref_index, reference in enumerate(references):
            if ref_index in taken:
                continue
            if by_label and prediction.label != reference.label:
                continue
            overlap = iou(prediction.box, reference.box)
            if overlap < best_iou:
                continue
            best, best_iou = ref_index, overlap
        if best >= 0:
            taken.add(best)
            pairs.append((index, best))
    return Matching(pairs=tuple(pairs), predictions=len(predictions), references=len(references))


@dataclass(frozen=True, slots=True, kw_only=True)
class DetectionScores:
    """Precision, recall and F1 over many images, summed before dividing (micro-averaged)."""

    true_positives: int
    predictions: int
    references: int

    @property
    def precision(self) -> float:
        """Matched predictions ÷ predictions (0 with no predictions)."""
        return self.true_positives / self.predictions if self.predictions else 0.0

    @property
    def recall(self) -> float:
        """Matched references ÷ references (0 with no references)."""
        return self.true_positives / self.references if self.references else 0.0

    @property
    def f1(self) -> float:
        """2PR / (P + R), 0 when both are 0."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def detection_scores(matchings: Sequence[Matching]) -> DetectionScores:
    """Precision and recall over several images' matchings."""
    return DetectionScores(
        true_positives=sum(matching.true_positives for matching in matchings),
        predictions=sum(matching.predictions for matching in matchings),
        references=sum(matching.references for matching in matchings),
    )
