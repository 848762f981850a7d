"""Does the judge agree with people? Its consistent pairwise verdicts set beside the blind votes
people cast on the same two answers: the agreement rate with its 95% Wilson interval, and
Cohen's kappa with its 95% interval from the large-sample variance of Fleiss, Cohen and Everitt
(1969), as statsmodels' `cohens_kappa` computes it (docs/metrics.md)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vision.scoring.intervals import Z_95, wilson
from vision.values.judgement import PairVerdict, Preference
from vision.values.run import Vote, VoteChoice

# "Both bad" prefers neither answer: for agreement it is a tie, as MT-Bench's agreement counts
# it (FastChat `fastchat/llm_judge/compute_agreement.py`).
_AS_PREFERENCE: dict[VoteChoice, Preference] = {"a": "a", "b": "b", "tie": "tie", "both_bad": "tie"}
_FLIPPED: dict[Preference, Preference] = {"a": "b", "b": "a", "tie": "tie"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Kappa:
    """Cohen's kappa with its 95% interval; None where it is undefined (both raters gave one
    and the same category every time, so chance agreement is 1)."""

    value: float | None
    low: float | None
    high: float | None


def cohens_kappa(pairs: Sequence[tuple[str, str]], *, z: float = Z_95) -> Kappa:
    """Cohen's kappa of (rater 1, rater 2) category pairs, with the Wald interval from the
    large-sample variance of Fleiss, Cohen and Everitt (1969), clipped to [-1, 1]."""
    n = len(pairs)
    if n == 0:
        return Kappa(value=None, low=None, high=None)
    categories = sorted({value for pair in pairs for value in pair})
    table = {(i, j): 0.0 for i in categories for j in categories}
    for first, second in pairs:
        table[first, second] += 1 / n
    rows = {i: sum(table[i, j] for j in categories) for i in categories}
    columns = {j: sum(table[i, j] for i in categories) for j in categories}
    observed = sum(table[i, i] for i in categories)
    chance = sum(rows[i] * columns[i] for i in categories)
    if math.isclose(chance, 1.0):
        return Kappa(value=None, low=None, high=None)
    kappa = (observed - chance) / (1 - chance)
    on_diagonal = sum(
        table[i, i] * (1 - (rows[i] + columns[i]) * (1 - kappa)) ** 2 for i in categories
    )
    off_diagonal = (1 - kappa) ** 2 * sum(
        table[i, j] * (columns[i] + rows[j]) ** 2 for i in categories for j in categories if i != j
    )
    correction = (kappa - chance * (1 - kappa)) ** 2
    variance = max(0.0, (on_diagonal + off_diagonal - correction) / (1 - chance) ** 2 / n)
    spread = z * math.sqrt(variance)
    return Kappa(value=kappa, low=max(-1.0, kappa - spread), high=min(1.0, kappa + spread))


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    """A judge's consistent verdicts against people's blind votes on the same pairs."""

    compared: int
    agreed: int
    kappa: Kappa
    inconsistent: int  # votes on pairs the judge answered differently in the two orders
    unjudged: int  # votes on pairs the judge has not compared

    @property
    def rate(self) -> float:
        """The share of compared votes the judge agreed with."""
        return self.agreed / self.compared if self.compared else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The agreement rate's 95% Wilson interval."""
        return wilson(self.agreed, self.compared)


def judge_agreement(verdicts: Iterable[PairVerdict], votes: Iterable[Vote]) -> Agreement:
    """The judge's agreement with each vote cast on two answers it compared: A, B or a tie
    ("both bad" is a tie); an inconsistent verdict does not count."""
    by_pair = {frozenset((v.run_a_id, v.run_b_id)): v for v in verdicts}
    compared: list[tuple[str, str]] = []
    inconsistent = unjudged = 0
    for vote in votes:
        verdict = None
        if vote.run_a_id is not None and vote.run_b_id is not None:
            verdict = by_pair.get(frozenset((vote.run_a_id, vote.run_b_id)))
        if verdict is None:
            unjudged += 1
            continue
        preference = verdict.preference
        if preference is None:
            inconsistent += 1
            continue
        if verdict.run_a_id != vote.run_a_id:
            preference = _FLIPPED[preference]
        compared.append((preference, _AS_PREFERENCE[vote.choice]))
    return Agreement(
        compared=len(compared),
        agreed=sum(judge == person for judge, person in compared),
        kappa=cohens_kappa(compared),
        inconsistent=inconsistent,
        unjudged=unjudged,
    )
