"""Exact McNemar and Bradley-Terry ratings at 100,000 votes, each against a baseline measured in
the same run: a plain pass over the same data (counting the discordant pairs; tallying the
votes for the leaderboard), and the implementations as they were before, kept only here, on
data small enough for them to finish.

Run: .venv/bin/python -m bench.statistics_bench
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence

from bench.sections import Verdict, medians, table
from vision.scoring.paired import mcnemar_exact
from vision.scoring.ratings import ratings
from vision.scoring.votes import leaderboard
from vision.values.run import Vote

PAIRS = 100_000
VOTES = 100_000
MODELS = 8
ROUNDS = 1_000
# The implementations before, on data they finish in about a second.
BEFORE_PAIRS = 2_000
BEFORE_ROUNDS = 10
# Targets: the test costs a tenth of counting its pairs; the ratings with their 1,000-round
# bootstrap at most ten tallies of the same votes.
MCNEMAR_TARGET, RATINGS_TARGET = 0.1, 10.0


def ms(seconds: float) -> str:
    """Seconds as milliseconds, three decimals (the test takes a fraction of one)."""
    return f"{seconds * 1000:.3f}"


def _mcnemar_before(b: int, c: int) -> float:
    """The exact McNemar test as it was: math.comb summed over the whole tail."""
    n = b + c
    if n == 0:
        return 1.0
    tail: float = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def _fit_before(games: Sequence[tuple[str, str, float]], models: Sequence[str]) -> None:
    """The Bradley-Terry fit as it was: 500 capped MM iterations with a pseudo-count."""
    wins: dict[str, float] = defaultdict(float)
    played: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, score in games:
        wins[a] += score
        wins[b] += 1 - score
        played[(a, b)] += 1
        played[(b, a)] += 1
    for index, a in enumerate(models):
        for b in models[index + 1 :]:
            wins[a] += 0.05
            wins[b] += 0.05
            played[(a, b)] += 0.1
            played[(b, a)] += 0.1
    strength = dict.fromkeys(models, 1.0)
    for _ in range(500):
        updated = {
            a: wins[a] / sum(played[(a, b)] / (strength[a] + strength[b]) for b in models if b != a)
            for a in models
        }
        mean_log = sum(math.log(value) for value in updated.values()) / len(updated)
        updated = {model: value / math.exp(mean_log) for model, value in updated.items()}
        change = max(abs(updated[model] - strength[model]) for model in models)
        strength = updated
        if change < 1e-9:
            break


def _ratings_before(votes: Sequence[Vote], rounds: int) -> None:
    """Ratings as they were: the fit, then a pure-Python bootstrap over the battles."""
    score = {"a": 1.0, "b": 0.0, "tie": 0.5}
    games = [(v.model_a, v.model_b, score[v.choice]) for v in votes if v.choice in score]
    models = sorted({model for a, b, _ in games for model in (a, b)})
    _fit_before(games, models)
    rng = random.Random(0)
    for _ in range(rounds):
        _fit_before(rng.choices(games, k=len(games)), models)


def _outcomes(count: int, rng: random.Random) -> tuple[dict[str, bool], dict[str, bool]]:
    """Two models' pass/fail on the same items, disagreeing on every item (all discordant),
    A ahead by 0.8% (p ≈ 0.011 at 100,000): the tail is as long as it gets."""
    a = {f"item-{n}": rng.random() < 0.504 for n in range(count)}
    return a, {key: not passed for key, passed in a.items()}


def _count(a: dict[str, bool], b: dict[str, bool]) -> tuple[int, int]:
    return sum(a[k] and not b[k] for k in a), sum(b[k] and not a[k] for k in a)


def _votes(count: int, rng: random.Random) -> list[Vote]:
    names = [f"model-{n}" for n in range(MODELS)]
    strength = {name: rng.gauss(0, 1) for name in names}
    votes = []
    for _ in range(count):
        a, b = rng.sample(names, 2)
        draw = rng.random()
        if draw < 0.1:
            choice = "tie" if draw < 0.07 else "both_bad"
        else:
            choice = "a" if rng.random() < 1 / (1 + math.exp(strength[b] - strength[a])) else "b"
        votes.append(Vote(model_a=a, model_b=b, choice=choice))
    return votes


def statistics_section() -> list[Verdict]:
    """McNemar at 100,000 discordant pairs and ratings at 100,000 votes, with their baselines."""
    rng = random.Random(11)
    passed_a, passed_b = _outcomes(PAIRS, rng)
    b, c = _count(passed_a, passed_b)
    small_b, small_c = BEFORE_PAIRS // 2 - 10, BEFORE_PAIRS // 2 + 10
    test = medians(
        {
            "count": lambda: _count(passed_a, passed_b),
            "test": lambda: mcnemar_exact(b, c),
            "small": lambda: mcnemar_exact(small_b, small_c),
            "small before": lambda: _mcnemar_before(small_b, small_c),
        },
        repeat=5,
    )
    votes = _votes(VOTES, rng)
    rated = medians(
        {
            "tally": lambda: leaderboard(votes),
            "ratings": lambda: ratings(votes, rounds=ROUNDS),
            "few rounds": lambda: ratings(votes, rounds=BEFORE_ROUNDS),
            "few rounds before": lambda: _ratings_before(votes, BEFORE_ROUNDS),
        },
        repeat=3,
    )
    mcnemar_ratio = test["test"] / test["count"]
    ratings_ratio = rated["ratings"] / rated["tally"]
    table(
        "11. Statistics at 100,000 votes (bench/statistics_bench.py)",
        ("what", "data", "ms", "baseline", "baseline ms", "ratio"),
        [
            ("exact McNemar", f"{b:,} vs {c:,} pairs", ms(test["test"]),
             "counting those pairs", ms(test["count"]), f"{mcnemar_ratio:.4f}×"),
            ("exact McNemar", f"{small_b:,} vs {small_c:,}", ms(test["small"]),
             "the sum of math.comb before", ms(test["small before"]),
             f"{test['small'] / test['small before']:.5f}×"),
            ("Bradley-Terry, 1,000 rounds", f"{VOTES:,} votes, {MODELS} models",
             ms(rated["ratings"]), "the leaderboard's tally", ms(rated["tally"]),
             f"{ratings_ratio:.2f}×"),
            ("Bradley-Terry, 10 rounds", f"{VOTES:,} votes", ms(rated["few rounds"]),
             "the MM fit and bootstrap before", ms(rated["few rounds before"]),
             f"{rated['few rounds'] / rated['few rounds before']:.3f}×"),
        ],
    )  # fmt: skip
    return [
        Verdict(
            target=f"exact McNemar at {PAIRS:,} pairs: ≤ {MCNEMAR_TARGET}× counting them",
            measured=f"{ms(test['test'])} ms ({mcnemar_ratio:.4f}×)",
            passed=mcnemar_ratio <= MCNEMAR_TARGET,
        ),
        Verdict(
            target=(
                f"Bradley-Terry with {ROUNDS:,} bootstrap rounds over {VOTES:,} votes: "
                f"≤ {RATINGS_TARGET:.0f}× the leaderboard's tally"
            ),
            measured=f"{ms(rated['ratings'])} ms ({ratings_ratio:.2f}×)",
            passed=ratings_ratio <= RATINGS_TARGET,
        ),
    ]


if __name__ == "__main__":
    for verdict in statistics_section():
        print(verdict)
