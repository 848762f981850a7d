"""A pairwise judge's verdicts per pair of models: how often the verdict changed when the
answers swapped places (with its 95% Wilson interval), and the wins, losses and ties that
count (docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vision.scoring.intervals import wilson
from vision.values.judgement import PairVerdict, Preference

_FLIPPED: dict[Preference, Preference] = {"a": "b", "b": "a", "tie": "tie"}


@dataclass(frozen=True, slots=True, kw_only=True)
class PairwiseRow:
    """Two models' answers compared by one judge: every pair asked in both orders, how many
    verdicts changed with the order, and the consistent verdicts' wins and ties."""

    model_a: str
    model_b: str
    pairs: int
    inconsistent: int
    wins_a: int
    wins_b: int
    ties: int

    @property
    def consistent(self) -> int:
        """Pairs whose verdict survived the swap: the ones that count."""
        return self.pairs - self.inconsistent

    @property
    def inconsistent_share(self) -> float:
        """The share of pairs whose verdict changed when the answers swapped places."""
        return self.inconsistent / self.pairs if self.pairs else 0.0

    @property
    def inconsistent_interval(self) -> tuple[float, float]:
        """The 95% Wilson interval of the inconsistent share."""
        return wilson(self.inconsistent, self.pairs)

    @property
    def win_rate_a(self) -> float | None:
        """Model A's share of the consistent verdicts, a tie counting half (None without any)."""
        if not self.consistent:
            return None
        return (self.wins_a + self.ties / 2) / self.consistent

    @property
    def mt_bench_win_rate_a(self) -> float | None:
        """Model A's win rate as MT-Bench reports it: an inconsistent pair counts as a tie."""
        if not self.pairs:
            return None
        return (self.wins_a + (self.ties + self.inconsistent) / 2) / self.pairs


def oriented(verdict: PairVerdict, model_a: str) -> Preference | None:
    """The verdict that counts, read with `model_a` as A (None when it is inconsistent)."""
    preference = verdict.preference
    if preference is None or verdict.model_a == model_a:
        return preference
    return _FLIPPED[preference]


def pairwise_rows(verdicts: Iterable[PairVerdict], models: Sequence[str] = ()) -> list[PairwiseRow]:
    """One row per pair of models, A the one that comes first in `models` (else in the
    verdicts), in that order."""
    found = list(verdicts)
    order = {m: i for i, m in enumerate(dict.fromkeys([*models, *_models(found)]))}
    tallies: dict[tuple[str, str], list[int]] = {}
    for verdict in found:
        a, b = sorted((verdict.model_a, verdict.model_b), key=order.__getitem__)
        tally = tallies.setdefault((a, b), [0, 0, 0, 0, 0])
        tally[0] += 1
        preference = oriented(verdict, a)
        index = {None: 1, "a": 2, "b": 3, "tie": 4}[preference]
        tally[index] += 1
    return [
        PairwiseRow(
            model_a=a, model_b=b, pairs=n, inconsistent=flips, wins_a=wa, wins_b=wb, ties=ties
        )
        for (a, b), (n, flips, wa, wb, ties) in sorted(
            tallies.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])
        )
    ]


def _models(verdicts: Sequence[PairVerdict]) -> list[str]:
    return [model for v in verdicts for model in (v.model_a, v.model_b)]
