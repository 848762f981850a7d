"""How sure a pass rate is: the Wilson score interval (docs/metrics.md)."""

from __future__ import annotations

import math

Z_95 = 1.959963984540054  # the standard normal's 97.5% quantile


def wilson(passed: float, total: int, *, z: float = Z_95) -> tuple[float, float]:
    """The Wilson interval of passed/total at this z (95% by default); (0, 1) when total is 0.
    `passed` may be fractional: items whose repeats passed in part count their share.

    Unlike p ± z·SE it stays inside [0, 1] and is not empty at 0 or at total passes.
    """
    if total <= 0:
        return 0.0, 1.0
    if not 0 <= passed <= total:
        raise ValueError(f"passed must be between 0 and {total}, not {passed}")
    rate = passed / total
    z2 = z * z
    centre = rate + z2 / (2 * total)
    spread = z * math.sqrt(rate * (1 - rate) / total + z2 / (4 * total * total))
    denominator = 1 + z2 / total
    low, high = (centre - spread) / denominator, (centre + spread) / denominator
    # Exactly 0 at no passes and 1 at all passes (the formula gets there up to rounding).
    return (0.0 if passed == 0 else max(0.0, low)), (1.0 if passed == total else min(1.0, high))
