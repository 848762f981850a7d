"""Two models on the same items: the exact McNemar test and the sentence it supports; with
repeats, the same test on each item's share of passed repeats (the sign test), beside the
mean paired difference and its 95% interval (docs/metrics.md)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from vision.api.catalog import short_name
from vision.scoring.intervals import Z_95

SIGNIFICANCE = 0.05


# Terms of the binomial tail smaller than this share of the sum so far no longer change it.
_NEGLIGIBLE = 1e-17


def _log_binomial_half(n: int, k: int) -> float:
    """log P(X = k) for X ~ Binomial(n, ½)."""
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) - n * math.log(2)


def mcnemar_exact(b: int, c: int) -> float:
    """The two-sided exact McNemar p-value: b of b + c discordant pairs against p = 0.5, that
    is 2 · P(X ≤ min(b, c)), capped at 1.

    The tail is summed from its largest term down, each term the one before times
    k / (n − k + 1), until the rest cannot change the sum: a few thousand steps at most, in
    floating point scaled by the largest term, so 100,000 pairs take well under a millisecond.
    """
    n, low = b + c, min(b, c)
    if n == 0 or 2 * low >= n:
        return 1.0
    total, term = 1.0, 1.0
    for k in range(low, 0, -1):
        term *= k / (n - k + 1)
        total += term
        if term < total * _NEGLIGIBLE:
            break
    log_tail = _log_binomial_half(n, low) + math.log(total)
    return min(1.0, 2 * math.exp(log_tail))


@dataclass(frozen=True, slots=True, kw_only=True)
class PairedComparison:
    """Two models' pass/fail on the items both answered, and what the difference supports.

    a_share_sum and b_share_sum add up each item's pass (1 or 0), or with repeats its share of
    passed repeats (without repeats: the items passed); only_a and only_b count the items
    where one model's share is the higher, and `difference` is the mean of A's share minus
    B's over the items with its 95% interval."""

    model_a: str
    model_b: str
    tag: str | None
    items: int
    a_share_sum: float
    b_share_sum: float
    only_a: int  # b in McNemar's notation: A right, B wrong
    only_b: int  # c: A wrong, B right
    p_value: float
    repeats: int = 1
    difference: float = 0.0
    difference_interval: tuple[float, float] = (0.0, 0.0)

    @property
    def significant(self) -> bool:
        """True when the difference is significant at 5%."""
        return self.only_a != self.only_b and self.p_value < SIGNIFICANCE

    @property
    def sentence(self) -> str:
        """What a reader may conclude, in one sentence."""
        what = f"{self.tag} items" if self.tag else "items"
        a, b = short_name(self.model_a), short_name(self.model_b)
        if self.repeats > 1:
            return self._repeated_sentence(a, b, what)
        counts = (
            f"{a} passes {self.a_share_sum:g}, {b} {self.b_share_sum:g}; they differ on "
            f"{self.only_a + self.only_b}, p = {self.p_value:.3g}"
        )
        if not self.significant:
            return f"{a} and {b} are not distinguishable with {self.items} {what} ({counts})."
        winner = a if self.only_a > self.only_b else b
        return f"{winner} passes more {what}; the difference is significant at 5% ({counts})."

    def _repeated_sentence(self, a: str, b: str, what: str) -> str:
        low, high = self.difference_interval
        counts = (
            f"over {self.repeats} repeats {a} passes {self.a_share_sum / max(1, self.items):.0%} "
            f"of answers, {b} {self.b_share_sum / max(1, self.items):.0%}; {a} minus {b} "
            f"{100 * self.difference:+.1f} points (95% interval {100 * low:+.1f} to "
            f"{100 * high:+.1f}); {a} is ahead on {self.only_a} items, {b} on {self.only_b}, "
            f"sign test p = {self.p_value:.3g}"
        )
        if not self.significant:
            return f"{a} and {b} are not distinguishable with {self.items} {what} ({counts})."
        winner = a if self.only_a > self.only_b else b
        return f"{winner} passes more {what}; the difference is significant at 5% ({counts})."


def paired_difference(differences: list[float]) -> tuple[float, tuple[float, float]]:
    """The mean of per-item differences and its 95% interval, mean ± 1.96 · sd / √n (the
    items are the sampling unit; sd with n − 1); (0, (0, 0)) without items."""
    n = len(differences)
    if n == 0:
        return 0.0, (0.0, 0.0)
    mean = sum(differences) / n
    if n == 1:
        return mean, (-1.0, 1.0)
    variance = sum((value - mean) ** 2 for value in differences) / (n - 1)
    half = Z_95 * math.sqrt(variance / n)
    return mean, (max(-1.0, mean - half), min(1.0, mean + half))


def compare_pair(
    model_a: str,
    model_b: str,
    outcomes_a: Mapping[str, float],
    outcomes_b: Mapping[str, float],
    *,
    tag: str | None = None,
    repeats: int = 1,
) -> PairedComparison:
    """McNemar over the items (by key) that both models were scored on: each item's pass
    (1.0 or 0.0), or with repeats its share of passed repeats, where McNemar becomes the
    sign test on the items whose shares differ."""
    shared = sorted(set(outcomes_a) & set(outcomes_b))
    only_a = sum(outcomes_a[key] > outcomes_b[key] for key in shared)
    only_b = sum(outcomes_b[key] > outcomes_a[key] for key in shared)
    difference, interval = paired_difference([outcomes_a[key] - outcomes_b[key] for key in shared])
    return PairedComparison(
        model_a=model_a,
        model_b=model_b,
        tag=tag,
        items=len(shared),
        a_share_sum=sum(outcomes_a[key] for key in shared),
        b_share_sum=sum(outcomes_b[key] for key in shared),
        only_a=only_a,
        only_b=only_b,
        p_value=mcnemar_exact(only_a, only_b),
        repeats=repeats,
        difference=difference,
        difference_interval=interval,
    )
