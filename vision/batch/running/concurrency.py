"""How many requests a batch keeps in flight: additive increase, halved on a 429 (AIMD)."""

from __future__ import annotations


class ConcurrencyLimit:
    """AIMD: halve the number of requests in flight on a 429, add one after N successes."""

    def __init__(self, ceiling: int, *, increase_after: int = 4) -> None:
        self.ceiling = ceiling
        self.value = ceiling
        self.increase_after = increase_after
        self.generation = 0
        self._successes = 0

    def succeeded(self) -> None:
        """Count a success; every `increase_after` of them open one more slot, up to the ceiling."""
        self._successes += 1
        if self._successes >= self.increase_after and self.value < self.ceiling:
            self.value += 1
            self._successes = 0

    def rate_limited(self, launched_in: int) -> None:
        """Halve, unless the job started before the last cut (that burst was already answered)."""
        if launched_in < self.generation:
            return
        self.value = max(1, self.value // 2)
        self.generation += 1
        self._successes = 0
