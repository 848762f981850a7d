"""A judge model's verdicts: on one run, and on two models' answers to the same item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Which of two answers a judge prefers, in the terms of the runs (a: run_a, b: run_b).
Preference = Literal["a", "b", "tie"]
PREFERENCES: tuple[Preference, ...] = ("a", "b", "tie")


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    """A judge's verdict on one run: its score, pass or fail, the reason it gave, and whether
    it was shown the image(s) the graded model received."""

    run_id: int
    judge_model: str
    rubric: str
    score: float
    passed: bool
    reason: str
    saw_images: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PairVerdict:
    """A judge's comparison of two runs answering the same item, asked twice: once with run A's
    answer shown first, once with run B's first. Both verdicts are in the runs' terms."""

    batch_id: str
    pair_id: str
    run_a_id: int
    run_b_id: int
    model_a: str
    model_b: str
    judge_model: str
    rubric: str
    a_first: Preference  # the verdict with run A's answer shown first
    b_first: Preference  # with run B's answer shown first, read back into the runs' terms
    reason_a_first: str
    reason_b_first: str
    saw_images: bool = False

    @property
    def consistent(self) -> bool:
        """True when the judge preferred the same run (or a tie) in both orders."""
        return self.a_first == self.b_first

    @property
    def preference(self) -> Preference | None:
        """The verdict that counts: the judge's when both orders agree, else None."""
        return self.a_first if self.consistent else None
