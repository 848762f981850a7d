"""Votes as Bradley-Terry ratings on the Elo scale, with bootstrap intervals, fitted as LMArena
fits them (FastChat, fastchat/serve/monitor/rating_systems.py: compute_bt and
compute_bootstrap_bt; docs/metrics.md).

P(a beats b) = 1 / (1 + 10^((R_b − R_a) / 400)); a tie, "both bad" included, is half a win each
way; the ratings maximise the likelihood of the votes, their mean is 1000. Newton's method
finds that maximum to a millionth of a point. When it does not exist (a model, or a group of
models, never lost or never won against the rest: its rating would be infinite), the fit adds a
pseudo-count of a tenth of a tie between every pair of models and says so.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vision.errors import RatingsError
from vision.values.run import Vote

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Matrix = NDArray[np.float64]

SCALE, BASE, BASE_RATING = 400.0, 10.0, 1000.0
PSEUDO_TIE = 0.1
BOOTSTRAP_ROUNDS = 1000
# Newton stops when no rating moves by more than this many points in a step.
TOLERANCE_POINTS = 1e-6
_MAX_STEPS = 100
# Halving a step that lowered the likelihood: past this many halvings it is below rounding.
_MAX_HALVINGS = 60
_ROUNDING = 1e-12
_ROUNDS_AT_ONCE = 100

Battle = tuple[str, str, float]  # model a, model b, a's score: 1 win, 0.5 tie, 0 loss
_SCORE = {"a": 1.0, "b": 0.0, "tie": 0.5, "both_bad": 0.5}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating:
    """One model's rating with its 95% bootstrap interval and the votes behind it."""

    model: str
    rating: float
    low: float
    high: float
    battles: int


def battles(votes: Iterable[Vote]) -> list[Battle]:
    """The votes between two different models: wins, ties and "both bad" (a tie, as on
    LMArena)."""
    return [
        (vote.model_a, vote.model_b, _SCORE[vote.choice])
        for vote in votes
        if vote.choice in _SCORE and vote.model_a != vote.model_b
    ]


def _all_finite(won: Matrix) -> NDArray[np.bool_]:
    """Per stacked score matrix: whether every model can reach every other through scores
    (a beat or tied b, b beat or tied c...), the condition for finite maximum-likelihood
    ratings (Zermelo)."""
    import numpy as np

    count = won.shape[-1]
    reach = ((won > 0) | np.eye(count, dtype=bool)).astype(np.float64)
    for _ in range(max(1, math.ceil(math.log2(count)))):
        reach = np.minimum(reach @ reach, 1.0)
    return np.asarray((reach > 0).all(axis=(-2, -1)))


def _log_likelihood(won: Matrix, strength: Matrix) -> Matrix:
    import numpy as np

    gap = strength[..., :, None] - strength[..., None, :]
    return np.asarray(-(won * np.logaddexp(0.0, -gap)).sum(axis=(-2, -1)))


def _newton(won: Matrix) -> Matrix:
    """Maximum-likelihood log-strengths (natural units, mean 0) for a stack of score matrices
    whose maximum exists; raises RatingsError when a fit does not converge."""
    import numpy as np

    count = won.shape[-1]
    played = won + np.swapaxes(won, -1, -2)
    strength = np.zeros(won.shape[:-1])
    likelihood = _log_likelihood(won, strength)
    tolerance = TOLERANCE_POINTS * math.log(BASE) / SCALE
    for _ in range(_MAX_STEPS):
        gap = strength[..., :, None] - strength[..., None, :]
        expected = 0.5 * (1.0 + np.tanh(gap / 2))  # the logistic function, without overflow
        gradient = (won - played * expected).sum(axis=-1)
        weight = played * expected * (1.0 - expected)
        laplacian = np.zeros_like(weight)
        diagonal = np.arange(count)
        laplacian[..., diagonal, diagonal] = weight.sum(axis=-1)
        laplacian -= weight
        # Adding 1/k everywhere pins the mean at 0 without changing a step that keeps it.
        step = np.linalg.solve(laplacian + 1.0 / count, gradient[..., None])[..., 0]
        # A step is halved only when it loses more likelihood than rounding can explain.
        allowed = likelihood - _ROUNDING * (1.0 + np.abs(likelihood))
        for _ in range(_MAX_HALVINGS):
            after = _log_likelihood(won, strength + step)
            worse = after < allowed
            if not worse.any():
                break
            step = np.where(worse[..., None], step / 2, step)
        strength, likelihood = strength + step, after
        if np.abs(step).max() < tolerance:
            return np.asarray(strength)
    raise RatingsError(
        f"The Bradley-Terry fit did not converge in {_MAX_STEPS} Newton steps; export the "
        "votes and report them, they are kept."
    )


def _fit(won: Matrix) -> Matrix:
    """Ratings for a stack of score matrices; those whose maximum-likelihood ratings would be
    infinite get the pseudo-count of a tenth of a tie between every pair first."""
    import numpy as np

    count = won.shape[-1]
    unbounded = ~_all_finite(won)
    pseudo = PSEUDO_TIE / 2 * (1.0 - np.eye(count))
    strength = _newton(np.where(unbounded[..., None, None], won + pseudo, won))
    return np.asarray(BASE_RATING + SCALE / math.log(BASE) * strength)


@dataclass(frozen=True, slots=True)
class _Tally:
    """The battles counted by distinct (a, b, a's score), in LMArena's order (models numbered
    as they first appear, every model a then every model b; sorted by a, b and outcome), so
    that a seed draws the same bootstrap resamples as its compute_bootstrap_bt."""

    models: list[str]  # sorted: the rows and columns of the score matrices
    counts: Matrix  # how many battles had each distinct outcome
    forward: NDArray[np.intp]  # each outcome's cell (a, b) in a flattened k × k matrix
    backward: NDArray[np.intp]  # and its cell (b, a)
    score: Matrix  # a's score in it: 1, 0.5 or 0

    def scores(self, weights: Matrix) -> Matrix:
        """Each model's score (wins + ties / 2) against each other, per row of weights (how
        many times each distinct outcome is counted)."""
        import numpy as np

        size = len(self.models)
        lead = weights.shape[:-1]
        rows = math.prod(lead)
        flat = weights.reshape(rows, -1)
        offset = np.arange(rows)[:, None] * size * size
        total = rows * size * size
        won = np.bincount((offset + self.forward).ravel(), (flat * self.score).ravel(), total)
        won += np.bincount(
            (offset + self.backward).ravel(), (flat * (1 - self.score)).ravel(), total
        )
        return np.asarray(won.reshape(*lead, size, size))


def _tally(games: Iterable[Battle]) -> _Tally:
    import numpy as np

    counted = Counter(games)
    # A Counter keeps each distinct battle's first appearance, so each model's first as a and as b.
    order = {
        model: at
        for at, model in enumerate(
            dict.fromkeys([a for a, _, _ in counted] + [b for _, b, _ in counted])
        )
    }
    models = sorted(order)
    position = {model: at for at, model in enumerate(models)}
    cells = sorted(counted, key=lambda cell: (order[cell[0]], order[cell[1]], cell[2]))
    size = len(models)
    return _Tally(
        models=models,
        counts=np.array([counted[cell] for cell in cells], dtype=np.float64),
        forward=np.array([position[a] * size + position[b] for a, b, _ in cells], dtype=np.intp),
        backward=np.array([position[b] * size + position[a] for a, b, _ in cells], dtype=np.intp),
        score=np.array([score for _, _, score in cells], dtype=np.float64),
    )


def fit(games: Iterable[Battle]) -> dict[str, float]:
    """Bradley-Terry ratings (mean 1000) by maximum likelihood, as LMArena's compute_bt."""
    tally = _tally(games)
    if len(tally.models) < 2:
        return dict.fromkeys(tally.models, BASE_RATING)
    rated = _fit(tally.scores(tally.counts))
    return dict(zip(tally.models, rated.tolist(), strict=True))


def needs_pseudo_count(games: Iterable[Battle]) -> bool:
    """True when a model never lost or never won against the rest, so its maximum-likelihood
    rating would be infinite and the fit adds the pseudo-count."""
    tally = _tally(games)
    return len(tally.models) > 1 and not bool(_all_finite(tally.scores(tally.counts)))


def _bootstrap(tally: _Tally, rounds: int, seed: int) -> Matrix:
    """Ratings over `rounds` resamples of the battles with replacement, drawn as LMArena's
    compute_bootstrap_bt draws them: a multinomial over the distinct outcomes' counts."""
    import numpy as np

    total = tally.counts.sum()
    rng = np.random.default_rng(seed)
    fitted = []
    # In chunks, so that memory stays flat however many rounds (the draws are the same).
    for start in range(0, rounds, _ROUNDS_AT_ONCE):
        chunk = min(_ROUNDS_AT_ONCE, rounds - start)
        drawn = rng.multinomial(int(total), tally.counts / total, chunk)
        fitted.append(_fit(tally.scores(drawn.astype(np.float64))))
    return np.concatenate(fitted)


def ratings(
    votes: Iterable[Vote], *, rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0
) -> list[Rating]:
    """Each voted model's rating and its 2.5%–97.5% bootstrap interval over the battles,
    best first."""
    import numpy as np

    tally = _tally(battles(votes))
    if len(tally.models) < 2:
        return []
    point = _fit(tally.scores(tally.counts))
    low, high = np.quantile(_bootstrap(tally, rounds, seed), [0.025, 0.975], axis=0)
    played = tally.scores(tally.counts)
    played = played + played.T
    found = [
        Rating(
            model=model,
            rating=float(point[at]),
            low=float(low[at]),
            high=float(high[at]),
            battles=round(float(played[at].sum())),
        )
        for at, model in enumerate(tally.models)
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
