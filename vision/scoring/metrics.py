"""The scores benchmarks use, per answer, each from 0 to 1 (definitions and sources:
docs/metrics.md): ANLS, relaxed accuracy, VQA accuracy, multiple choice, and the checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from vision.errors import RequestError
from vision.grounding.scores import DetectionScores
from vision.scoring.checks import check_answer, normalise
from vision.scoring.choice import answer_letter, extract_choice
from vision.scoring.vqa import vqa_accuracy

MetricName = Literal[
    "contains", "exact", "regex", "anls", "relaxed", "vqa", "choice", "iou", "point", "detection"
]
METRICS: tuple[MetricName, ...] = (
    "contains", "exact", "regex", "anls", "relaxed", "vqa", "choice", "iou", "point", "detection"
)  # fmt: skip
# Scored from a grounding item's reference boxes (vision/scoring/grounding.py), not its text.
BOX_METRICS: tuple[MetricName, ...] = ("iou", "point", "detection")
METRIC_LABELS: dict[MetricName, str] = {
    "contains": "contains the expected text",
    "exact": "equals the expected text",
    "regex": "matches the expected pattern",
    "anls": "ANLS (document VQA)",
    "relaxed": "relaxed accuracy (numbers within 5%)",
    "vqa": "VQA accuracy over the references",
    "choice": "multiple choice (option letter read from the answer)",
    "iou": "box IoU: Acc@0.5 and mean IoU (referring expressions)",
    "point": "point in the reference box",
    "detection": "detection precision and recall at IoU 0.5",
}
# What a metric's pass rate and mean score are called where it has names of its own.
PASS_NAMES: dict[MetricName, str] = {
    "iou": "Acc@0.5",
    "point": "point accuracy",
    "detection": "items exactly right",
}
MEAN_NAMES: dict[MetricName, str] = {"iou": "mean IoU", "detection": "mean F1"}
# ANLS gives 0 when the similarity is below τ; exactly τ still counts (the official script
# zeroes a score only when it is "< threshold").
ANLS_THRESHOLD = 0.5
# ChartQA's relaxed accuracy: a number within 5% of the target is right.
RELAXED_TOLERANCE = 0.05
# An answer passes a graded metric (ANLS, VQA) at this score or above.
PASS_AT = 0.5


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """One answer's score (0 to 1), whether it counts as passed, and how it was reached;
    unread: a multiple-choice answer from which no option could be read (it does not pass);
    read_by_judge: such an answer whose option a judge model read (then scored by it);
    detection: a detection item's box counts, which precision and recall sum."""

    value: float
    passed: bool
    how: str = ""
    unread: bool = False
    # A multiple-choice answer the rules left unread, read by a judge model instead.
    read_by_judge: bool = False
    # A detection item's counts: boxes matched, predicted and referenced.
    detection: DetectionScores | None = None


def levenshtein(a: str, b: str) -> int:
    """The edit distance between two strings (rapidfuzz, in C)."""
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(a, b))


def _collapsed(text: str) -> str:
    return " ".join(text.strip().lower().split())


def anls(answer: str, references: Sequence[str]) -> float:
    """ANLS as the official DocVQA script computes it: 1 − the smallest normalised edit
    distance to a reference, or 0 when that is below τ. The distance is between the strings
    lower-cased with their spaces collapsed, divided by the longer of the two as given."""
    predicted = _collapsed(answer)
    distances = []
    for reference in references:
        # The official script divides by the raw lengths (of the upper-cased strings).
        longest = max(len(reference.upper()), len(answer.upper()))
        edits = levenshtein(_collapsed(reference), predicted)
        distances.append(edits / longest if longest else 0.0)
    similarity = 1.0 - min(distances, default=1.0)
    return similarity if similarity >= ANLS_THRESHOLD else 0.0


def _number(text: str) -> float | None:
    """VLMEvalKit's number parsing: Python's float(), a trailing % dividing by 100."""
    try:
        if text.endswith("%"):
            return float(text.rstrip("%")) / 100
        return float(text)
    except ValueError:
        return None


def relaxed_match(answer: str, target: str) -> bool:
    """ChartQA's relaxed correctness as VLMEvalKit computes it: numbers within 5% of a
    non-zero target, else the same text ignoring case (the answer stripped, the target not)."""
    predicted = answer.strip()
    value, goal = _number(predicted), _number(target)
    if value is not None and goal:
        return abs(value - goal) / abs(goal) <= RELAXED_TOLERANCE
    return predicted.lower() == target.lower()


def relaxed_accuracy(answer: str, references: Sequence[str]) -> float:
    """1 when the answer relaxed-matches any reference, else 0."""
    return float(any(relaxed_match(answer, reference) for reference in references))


def choice_score(answer: str, expected: str, choices: Sequence[str]) -> Score:
    """1 when the option read from the answer is the correct one; says how it was read, and
    marks an answer no option could be read from as unread."""
    wanted = answer_letter(expected, choices)
    if wanted is None:
        return Score(value=0.0, passed=False, how="the expected answer names no option")
    read = extract_choice(answer, choices)
    right = read.letter == wanted
    return Score(
        value=float(right),
        passed=right,
        how=f"{read.letter or '-'}: {read.how}",
        unread=read.unread,
    )


def _graded(value: float) -> Score:
    return Score(value=value, passed=value >= PASS_AT)


_SIMPLE: dict[str, Callable[[str, Sequence[str]], float]] = {
    "anls": anls,
    "relaxed": relaxed_accuracy,
    "vqa": vqa_accuracy,
}


def score_answer(
    metric: MetricName,
    answer: str,
    references: Sequence[str],
    choices: Sequence[str] = (),
) -> Score:
    """One answer scored by a metric against its references (and options, for choice)."""
    if not references:
        raise RequestError("This item has no expected answer to score against.")
    if metric == "choice":
        if not choices:
            return Score(value=0.0, passed=False, how="the item has no options")
        return choice_score(answer, references[0], choices)
    if metric in _SIMPLE:
        return _graded(_SIMPLE[metric](answer, references))
    if metric in BOX_METRICS:
        raise RequestError(
            f"The {metric} metric scores a grounding item's boxes; score the run instead."
        )
    if metric in ("contains", "exact", "regex"):
        outcomes = [check_answer(answer, reference, metric) for reference in references]
        passed = any(outcome.passed for outcome in outcomes)
        return Score(value=float(passed), passed=passed, how="" if passed else outcomes[0].reason)
    raise RequestError(f"Unknown metric {metric!r}: choose one of {', '.join(METRICS)}.")


def looks_numeric(text: str) -> bool:
    """True when a reference is a number (a chart's value): relaxed accuracy suits it."""
    return re.fullmatch(r"-?[\d,]*\.?\d+%?", normalise(text)) is not None
