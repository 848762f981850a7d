"""Circular evaluation's score beside the plain one: a multiple-choice question asked once per
rotation of its options passes circularly only when every rotation is answered right, and
plainly when the first (the options as given) is; a question failed only by rotations whose
answer could not be read is counted as unread (VLMEvalKit's CircularEval, docs/metrics.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from vision.scoring.intervals import wilson
from vision.scoring.summary import run_passed, score_runs
from vision.values.run import Run


@dataclass(frozen=True, slots=True, kw_only=True)
class CircularRow:
    """A model's questions asked circularly: how many passed every rotation, how many passed
    the options as given, each with its 95% Wilson interval, and how many were left unread."""

    model: str
    questions: int
    circular: int
    plain: int
    low: float
    high: float
    plain_low: float
    plain_high: float
    unread: int = 0


def circular_rows(runs: Iterable[Run]) -> list[CircularRow]:
    """One row per model over the questions that were asked in rotations (none: no row)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for outcome in score_runs(runs, "choice"):
        if not outcome.key.startswith("q:") or outcome.score is None:
            continue
        held = counts[outcome.model]
        held[0] += 1
        held[1] += outcome.score.passed
        # The outcome's run is its question's first rotation: the options as they were given.
        held[2] += bool(run_passed(outcome.run, "choice"))
        held[3] += outcome.score.unread
    rows = []
    for model, (questions, circular, plain, unread) in counts.items():
        low, high = wilson(circular, questions)
        plain_low, plain_high = wilson(plain, questions)
        rows.append(
            CircularRow(
                model=model,
                questions=questions,
                circular=circular,
                plain=plain,
                low=low,
                high=high,
                plain_low=plain_low,
                plain_high=plain_high,
                unread=unread,
            )
        )
    return rows
