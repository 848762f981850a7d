"""Scoring answers: checks against an expected answer, pass rates, and per-model averages."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from vision.errors import RequestError
from vision.values.result import Usage

CheckKind = Literal["contains", "exact", "regex"]
CHECK_KINDS: tuple[CheckKind, ...] = ("contains", "exact", "regex")


class Answered(Protocol):
    """Anything with a model, an answer or error, and optionally an expected answer and tag."""

    @property
    def model(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    @property
    def expected(self) -> str | None: ...
    @property
    def tag(self) -> str | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOutcome:
    """Whether an answer passed a check, with a sentence saying why not."""

    passed: bool
    reason: str = ""


def normalise(text: str) -> str:
    """Text compared loosely: Unicode-normalised, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def pattern_problem(pattern: str) -> str | None:
    """A sentence saying why a regular expression is invalid, or None when it compiles."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"The expected-answer pattern is not a valid regular expression ({exc}); fix it."
    return None


def check_answer(answer: str, expected: str, kind: CheckKind = "contains") -> CheckOutcome:
    """Check one answer: contains (case-insensitive), exact (normalised) or regex (search)."""
    if kind == "contains":
        passed = normalise(expected) in normalise(answer)
        return CheckOutcome(passed=passed, reason="" if passed else "The answer lacks the text.")
    if kind == "exact":
        passed = normalise(expected) == normalise(answer)
        return CheckOutcome(passed=passed, reason="" if passed else "The answer differs.")
    if kind == "regex":
        problem = pattern_problem(expected)
        if problem:
            return CheckOutcome(passed=False, reason=problem)
        passed = re.search(expected, answer) is not None
        return CheckOutcome(passed=passed, reason="" if passed else "The pattern does not match.")
    raise RequestError(f"Unknown check {kind!r}: choose contains, exact or regex.")


def check_run(run: Answered, kind: CheckKind = "contains") -> CheckOutcome | None:
    """Check a run against its own expected answer; None when it has none; errors fail."""
    if not run.expected:
        return None
    if run.error is not None:
        return CheckOutcome(passed=False, reason=run.error)
    return check_answer(run.answer, run.expected, kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class PassRate:
    """How many checked answers of one model (and tag, when set) passed."""

    model: str
    tag: str | None
    passed: int
    checked: int
    errors: int

    @property
    def rate(self) -> float:
        """Passed over checked, 0.0 when nothing was checked."""
        return self.passed / self.checked if self.checked else 0.0


def pass_rates(
    runs: Iterable[Answered], kind: CheckKind = "contains", *, by_tag: bool = False
) -> list[PassRate]:
    """Pass rate per model (and per tag with by_tag) over runs that have an expected answer."""
    counts: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for run in runs:
        outcome = check_run(run, kind)
        if outcome is None:
            continue
        tally = counts[(run.model, run.tag if by_tag else None)]
        tally[0] += outcome.passed
        tally[1] += 1
        tally[2] += run.error is not None
    return [
        PassRate(model=model, tag=tag, passed=p, checked=c, errors=e)
        for (model, tag), (p, c, e) in sorted(
            counts.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])
        )
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelStats:
    """One model's averages over runs, for the leaderboard chart."""

    model: str
    runs: int
    errors: int
    mean_latency_s: float | None
    mean_ttft_s: float | None
    mean_total_tokens: float | None
    mean_reasoning_tokens: float | None = None  # None: no answer reported reasoning


class Measured(Answered, Protocol):
    """A run with timings and usage."""

    @property
    def latency_s(self) -> float | None: ...
    @property
    def ttft_s(self) -> float | None: ...
    @property
    def usage(self) -> Usage: ...


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def model_stats(runs: Iterable[Measured]) -> list[ModelStats]:
    """Mean latency, time to first token and tokens per model, over runs without errors."""
    grouped: dict[str, list[Measured]] = defaultdict(list)
    for run in runs:
        grouped[run.model].append(run)
    stats = []
    for model in sorted(grouped):
        ok = [run for run in grouped[model] if run.error is None]
        stats.append(
            ModelStats(
                model=model,
                runs=len(grouped[model]),
                errors=len(grouped[model]) - len(ok),
                mean_latency_s=_mean([r.latency_s for r in ok if r.latency_s is not None]),
                mean_ttft_s=_mean([r.ttft_s for r in ok if r.ttft_s is not None]),
                mean_total_tokens=_mean(
                    [r.usage.total_tokens for r in ok if r.usage.total_tokens is not None]
                ),
                mean_reasoning_tokens=_mean(
                    [r.usage.reasoning_tokens for r in ok if r.usage.reasoning_tokens is not None]
                ),
            )
        )
    return stats
