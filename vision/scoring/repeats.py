"""A repeated batch's stability: each item's flip rate, and the spread of each model's scores
from one repeat to the next (definitions in docs/metrics.md)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vision.api.catalog import short_name
from vision.scoring.summary import ItemOutcome, score_table

# The columns of the spread and flips tables, on the Batch page and in the report alike.
SPREAD_COLUMNS = (
    "model",
    "pass rate per repeat",
    "min – max",
    "standard deviation (points)",
    "mean score per repeat",
    "items that flipped",
    "mean flip rate",
)
FLIP_COLUMNS = ("item", "model", "repeats passed", "flip rate")


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemFlips:
    """One model's repeats of one item: how many were asked and passed, and its flip rate."""

    model: str
    key: str
    name: str
    tag: str | None
    repeats: int
    passed: int

    @property
    def flips(self) -> int:
        """Repeats whose correctness differs from the item's majority (a tie: half of them)."""
        return min(self.passed, self.repeats - self.passed)

    @property
    def flip_rate(self) -> float:
        """Flips over repeats: 0 when every repeat agrees, at most 0.5."""
        return self.flips / self.repeats if self.repeats else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RepeatSpread:
    """One model's score in each repeat, their range and standard deviation, and how its items
    flipped."""

    model: str
    rates: tuple[float, ...]  # pass rate in repeat 1, 2, ...
    mean_scores: tuple[float, ...]  # mean score in repeat 1, 2, ...
    items: int
    flipped: int  # items with at least one flip
    mean_flip_rate: float

    @property
    def low(self) -> float:
        """The lowest pass rate of any repeat."""
        return min(self.rates)

    @property
    def high(self) -> float:
        """The highest pass rate of any repeat."""
        return max(self.rates)

    @property
    def sd(self) -> float:
        """The pass rates' sample standard deviation across repeats (n − 1; 0 for one)."""
        return _sd(self.rates)

    @property
    def score_sd(self) -> float:
        """The mean scores' sample standard deviation across repeats."""
        return _sd(self.mean_scores)


def _sd(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))


def repeated(outcomes: Sequence[ItemOutcome]) -> bool:
    """True when the outcomes hold more than one repeat of an item."""
    return any(outcome.repeat > 0 for outcome in outcomes)


def item_flips(outcomes: Sequence[ItemOutcome]) -> list[ItemFlips]:
    """Each model's scored repeats of each item, item by item."""
    grouped: dict[tuple[str, str], list[ItemOutcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.score is not None:
            grouped[(outcome.model, outcome.key)].append(outcome)
    return [
        ItemFlips(
            model=model,
            key=key,
            name=members[0].name,
            tag=members[0].tag,
            repeats=len(members),
            passed=sum(bool(member.score and member.score.passed) for member in members),
        )
        for (model, key), members in grouped.items()
    ]


def flipped_items(outcomes: Sequence[ItemOutcome]) -> list[ItemFlips]:
    """The items whose repeats disagreed, per model, the most unstable first (then by name)."""
    return sorted(
        (found for found in item_flips(outcomes) if found.flips),
        key=lambda found: (-found.flip_rate, found.name, found.model),
    )


def repeat_spread(outcomes: Sequence[ItemOutcome]) -> list[RepeatSpread]:
    """Per model: its pass rate and mean score in each repeat (scored as a batch of its own),
    their spread, and its items' flips."""
    count = max((outcome.repeat for outcome in outcomes), default=0) + 1
    per_repeat = [
        {row.model: row for row in score_table([o for o in outcomes if o.repeat == repeat])}
        for repeat in range(count)
    ]
    flips: dict[str, list[ItemFlips]] = defaultdict(list)
    for found in item_flips(outcomes):
        flips[found.model].append(found)
    spreads = []
    for model, items in flips.items():
        rows = [rows[model] for rows in per_repeat if model in rows]
        spreads.append(
            RepeatSpread(
                model=model,
                rates=tuple(row.rate for row in rows),
                mean_scores=tuple(row.mean_score for row in rows),
                items=len(items),
                flipped=sum(item.flips > 0 for item in items),
                mean_flip_rate=sum(item.flip_rate for item in items) / len(items),
            )
        )
    return spreads


def spread_row(spread: RepeatSpread) -> dict[str, str | float]:
    """A model's spread as a row of SPREAD_COLUMNS: pass rates in whole percent, as the Batch
    page shows every pass rate, and the standard deviation in points to a tenth."""
    row: dict[str, str | float] = {
        "model": short_name(spread.model),
        "pass rate per repeat": " · ".join(f"{rate:.0%}" for rate in spread.rates),
        "min – max": f"{spread.low:.0%} – {spread.high:.0%}",
        "standard deviation (points)": round(100 * spread.sd, 1),
        "mean score per repeat": " · ".join(f"{score:.3f}" for score in spread.mean_scores),
        "items that flipped": f"{spread.flipped} of {spread.items}",
        "mean flip rate": f"{spread.mean_flip_rate:.1%}",
    }
    return row


def flip_row(found: ItemFlips) -> dict[str, str]:
    """An item that flipped as a row of FLIP_COLUMNS."""
    return {
        "item": found.name,
        "model": short_name(found.model),
        "repeats passed": f"{found.passed} of {found.repeats}",
        "flip rate": f"{found.flip_rate:.0%}",
    }
