"""A model's image cost fitted to measured answers: per pixel, per tile, or one constant."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vision.calibration.measurements import Measurement
from vision.images.encoders import ImageGeometry
from vision.images.profiles import GENERIC_LONG_SIDE
from vision.images.rates import CostMethod, MeasuredCost

# A fit needs more points than it has parameters (two for a rate, one for a constant).
MIN_ANSWERS = 3
# Tile sides worth trying: the encoders' usual crops (CLIP 224 and 336, SigLIP 384 and 448,
# Llama 3.2's 560, OpenAI's 512) and their neighbours.
TILE_CANDIDATES = (224, 256, 336, 384, 448, 512, 560, 672, 768, 1024)
# A simpler fit wins unless a richer one is better by more than this (relative error).
SIMPLER_WINS_WITHIN = 0.01


@dataclass(frozen=True, slots=True, kw_only=True)
class Fit:
    """The best cost found for a set of measurements, and how well it matches them."""

    cost: MeasuredCost
    error: float
    points: int


def predicted(geometry: ImageGeometry, measurement: Measurement) -> int:
    """What a geometry says the images of one measurement cost together."""
    return sum(geometry.tokens(width, height) for width, height in measurement.sizes)


def relative_error(
    predict: Callable[[Measurement], float], measurements: Sequence[Measurement]
) -> float:
    """The root-mean-square of (predicted − measured) / measured over the measurements."""
    if not measurements:
        return 0.0
    squares = [
        ((predict(item) - item.image_tokens) / item.image_tokens) ** 2 for item in measurements
    ]
    return math.sqrt(sum(squares) / len(squares))


def geometry_error(geometry: ImageGeometry, measurements: Sequence[Measurement]) -> float:
    """relative_error of a geometry's predictions."""
    return relative_error(lambda item: predicted(geometry, item), measurements)


def _constant(measurements: Sequence[Measurement]) -> MeasuredCost | None:
    # Least squares on the relative error: weights 1/y².
    weights = [1 / item.image_tokens**2 for item in measurements]
    counts = [len(item.sizes) for item in measurements]
    top = sum(
        w * n * item.image_tokens for w, n, item in zip(weights, counts, measurements, strict=True)
    )
    bottom = sum(w * n * n for w, n in zip(weights, counts, strict=True))
    if bottom <= 0:
        return None
    return MeasuredCost(method="constant", per_image=top / bottom, long_side=GENERIC_LONG_SIDE)


def _rate(
    measurements: Sequence[Measurement], method: CostMethod, tile: int = 0
) -> MeasuredCost | None:
    shape = MeasuredCost(method=method, per_image=0.0, tile=tile, long_side=GENERIC_LONG_SIDE)
    xs = [sum(shape.units(w, h) for w, h in item.sizes) for item in measurements]
    ns = [float(len(item.sizes)) for item in measurements]
    ys = [float(item.image_tokens) for item in measurements]
    ws = [1 / y**2 for y in ys]
    sxx = sum(w * x * x for w, x in zip(ws, xs, strict=True))
    sxn = sum(w * x * n for w, x, n in zip(ws, xs, ns, strict=True))
    snn = sum(w * n * n for w, n in zip(ws, ns, strict=True))
    sxy = sum(w * x * y for w, x, y in zip(ws, xs, ys, strict=True))
    sny = sum(w * n * y for w, n, y in zip(ws, ns, ys, strict=True))
    determinant = sxx * snn - sxn * sxn
    if determinant <= 1e-12 * max(sxx * snn, 1e-300):
        return None  # every measurement has the same size: a rate cannot be told from a constant
    rate = (sxy * snn - sxn * sny) / determinant
    per_image = (sxx * sny - sxn * sxy) / determinant
    if rate <= 0:
        return None
    if method == "per pixel":
        return MeasuredCost(
            method=method, per_image=per_image, per_pixel=rate, long_side=GENERIC_LONG_SIDE
        )
    return MeasuredCost(
        method=method, per_image=per_image, per_tile=rate, tile=tile, long_side=GENERIC_LONG_SIDE
    )


def fit_cost(measurements: Sequence[Measurement]) -> Fit | None:
    """The cost (per pixel, per tile or constant) that matches the measurements best, the
    simplest one when two are about as good; None with fewer than MIN_ANSWERS measurements."""
    if len(measurements) < MIN_ANSWERS:
        return None
    candidates: list[tuple[int, MeasuredCost]] = []
    constant = _constant(measurements)
    if constant is not None:
        candidates.append((1, constant))
    pixel = _rate(measurements, "per pixel")
    if pixel is not None:
        candidates.append((2, pixel))
    for tile in TILE_CANDIDATES:
        per_tile = _rate(measurements, "per tile", tile)
        if per_tile is not None:
            candidates.append((2, per_tile))
    if not candidates:
        return None
    scored = [(geometry_error(cost, measurements), size, cost) for size, cost in candidates]
    best = min(error for error, _, _ in scored)
    error, _, cost = min(
        (item for item in scored if item[0] <= best + SIMPLER_WINS_WITHIN),
        key=lambda item: (item[1], item[0]),
    )
    return Fit(cost=cost, error=error, points=len(measurements))
