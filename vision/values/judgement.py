"""A judge model's verdict on one run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Judgement:
    """A judge's verdict on one run: its score, pass or fail, and the reason it gave."""

    run_id: int
    judge_model: str
    rubric: str
    score: float
    passed: bool
    reason: str
