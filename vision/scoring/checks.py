"""Scoring answers: checks against an expected answer, pass rates, blind pairs and a leaderboard."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from vision.api.results import Usage
from vision.errors import RequestError
from vision.history.records import Vote

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


T = TypeVar("T")


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
class BlindPair(Generic[T]):
    """Two answers shown as A and B in an order the voter cannot guess."""

    a: T
    b: T


def blind_pair(results: Sequence[T], rng: random.Random) -> BlindPair[T]:
    """Pick two of the results (one per model) and put them in random A/B order."""
    if len(results) < 2:
        raise RequestError("Blind voting needs two answers to the same image: run two models.")
    first, second = rng.sample(list(results), 2)
    return BlindPair(a=first, b=second)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaderboardRow:
    """One model's record in blind votes; a tie counts half a win."""

    model: str
    wins: int
    losses: int
    ties: int
    both_bad: int

    @property
    def votes(self) -> int:
        """Every vote the model took part in."""
        return self.wins + self.losses + self.ties + self.both_bad

    @property
    def win_rate(self) -> float:
        """(wins + ties / 2) over all its votes, "both bad" included as no win."""
        return (self.wins + self.ties / 2) / self.votes if self.votes else 0.0


def leaderboard(votes: Iterable[Vote]) -> list[LeaderboardRow]:
    """Models ranked by win rate (then by votes) over the given votes."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for vote in votes:
        if vote.model_a == vote.model_b:
            continue
        a, b = tally[vote.model_a], tally[vote.model_b]
        if vote.choice == "a":
            a[0] += 1
            b[1] += 1
        elif vote.choice == "b":
            b[0] += 1
            a[1] += 1
        elif vote.choice == "tie":
            a[2] += 1
            b[2] += 1
        else:
            a[3] += 1
            b[3] += 1
    rows = [
        LeaderboardRow(model=model, wins=w, losses=lo, ties=t, both_bad=bb)
        for model, (w, lo, t, bb) in tally.items()
    ]
    return sorted(rows, key=lambda row: (-row.win_rate, -row.votes, row.model))


def leaderboard_by_tag(votes: Iterable[Vote]) -> dict[str | None, list[LeaderboardRow]]:
    """One leaderboard per tag (None for untagged votes), tags in alphabetical order."""
    grouped: dict[str | None, list[Vote]] = defaultdict(list)
    for vote in votes:
        grouped[vote.tag].append(vote)
    return {tag: leaderboard(grouped[tag]) for tag in sorted(grouped, key=lambda t: t or "")}


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelStats:
    """One model's averages over runs, for the leaderboard chart."""

    model: str
    runs: int
    errors: int
    mean_latency_s: float | None
    mean_ttft_s: float | None
    mean_total_tokens: float | None


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
            )
        )
    return stats
