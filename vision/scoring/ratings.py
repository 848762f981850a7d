"""Votes as Bradley-Terry ratings on the Elo scale, with bootstrap intervals (docs/metrics.md).

P(a beats b) = 1 / (1 + 10^((R_b − R_a) / 400)). Strengths are fitted by maximum likelihood
with Hunter's MM iteration; a tie is half a win each way; "both bad" is left out (neither a win
nor a tie: it says nothing about which is better). A pseudo-count of a tenth of a tie between
every pair keeps a model that never lost, or never won, at a finite rating.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vision.values.run import Vote

SCALE, BASE_RATING = 400.0, 1000.0
PSEUDO_TIE = 0.1
BOOTSTRAP_ROUNDS = 1000
_ITERATIONS, _TOLERANCE = 500, 1e-9

Battle = tuple[str, str, float]  # model a, model b, a's score: 1 win, 0.5 tie, 0 loss


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating:
    """One model's rating with its 95% bootstrap interval and the votes behind it."""

    model: str
    rating: float
    low: float
    high: float
    battles: int


def battles(votes: Iterable[Vote]) -> list[Battle]:
    """The votes that say which answer was better: wins and ties (both bad left out)."""
    score = {"a": 1.0, "b": 0.0, "tie": 0.5}
    return [
        (vote.model_a, vote.model_b, score[vote.choice])
        for vote in votes
        if vote.choice in score and vote.model_a != vote.model_b
    ]


def fit(games: Sequence[Battle], models: Sequence[str]) -> dict[str, float]:
    """Bradley-Terry ratings (mean 1000) by Hunter's MM algorithm."""
    wins: dict[str, float] = defaultdict(float)
    played: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, score in games:
        wins[a] += score
        wins[b] += 1 - score
        played[(a, b)] += 1
        played[(b, a)] += 1
    for index, a in enumerate(models):
        for b in models[index + 1 :]:
            wins[a] += PSEUDO_TIE / 2
            wins[b] += PSEUDO_TIE / 2
            played[(a, b)] += PSEUDO_TIE
            played[(b, a)] += PSEUDO_TIE
    strength = dict.fromkeys(models, 1.0)
    for _ in range(_ITERATIONS):
        updated = {}
        for a in models:
            denominator = sum(
                played[(a, b)] / (strength[a] + strength[b])
                for b in models
                if b != a and played[(a, b)]
            )
            updated[a] = wins[a] / denominator if denominator else strength[a]
        mean_log = sum(math.log(value) for value in updated.values()) / len(updated)
        updated = {model: value / math.exp(mean_log) for model, value in updated.items()}
        change = max(abs(updated[model] - strength[model]) for model in models)
        strength = updated
        if change < _TOLERANCE:
            break
    return {model: BASE_RATING + SCALE * math.log10(value) for model, value in strength.items()}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratings(
    votes: Iterable[Vote], *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0
) -> list[Rating]:
    """Each voted model's rating and its 2.5%–97.5% bootstrap interval over the battles,
    best first."""
    games = battles(votes)
    models = sorted({model for a, b, _ in games for model in (a, b)})
    if len(models) < 2:
        return []
    point = fit(games, models)
    rng = random.Random(seed)  # noqa: S311 (a reproducible bootstrap, not a secret)
    samples: dict[str, list[float]] = {model: [] for model in models}
    for _ in range(rounds):
        resampled = rng.choices(games, k=len(games))
        for model, value in fit(resampled, models).items():
            samples[model].append(value)
    count: dict[str, int] = defaultdict(int)
    for a, b, _ in games:
        count[a] += 1
        count[b] += 1
    found = [
        Rating(
            model=model,
            rating=point[model],
            low=_quantile(samples[model], 0.025),
            high=_quantile(samples[model], 0.975),
            battles=count[model],
        )
        for model in models
    ]
    return sorted(found, key=lambda rating: (-rating.rating, rating.model))


def ratings_by_tag(
    votes: Iterable[Vote], *, rounds: int = BOOTSTRAP_ROUNDS
) -> dict[str | None, list[Rating]]:
    """Ratings per tag (None for untagged votes), tags in alphabetical order."""
    grouped: dict[str | None, list[Vote]] = defaultdict(list)
    for vote in votes:
        grouped[vote.tag].append(vote)
    return {
        tag: ratings(grouped[tag], rounds=rounds)
        for tag in sorted(grouped, key=lambda tag: tag or "")
    }
