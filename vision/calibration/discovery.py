"""A model's encoder discovered from exact probe measurements: a grid or a tile canvas.

Each hypothesis (a rounded grid, a padded grid, square tiles) is tried over a range of sizes;
one that reproduces every probed size exactly, bounds included, wins (docs/geometry.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from vision.errors import UnsupportedImageError
from vision.images.encoders import ImageGeometry
from vision.images.geometry import best_canvas, smart_resize
from vision.images.grids import PaddedGrid, RoundedGrid
from vision.images.tiles import TileCanvas

# (width, height, image tokens) of one probed image.
Point = tuple[int, int, int]

GRID_FACTORS = range(8, 65)
MAX_WRAPPER_TOKENS = 16
# The cells (grids) and sides (tiles) published encoders use, preferred when the probe cannot
# tell a range of values apart.
USUAL_FACTORS = (28, 32, 14, 16)
USUAL_TILES = (336, 448, 560, 512, 384, 224, 256, 672, 768, 1024)
TILE_SIDES = tuple(sorted({*range(112, 1025, 14), *range(112, 1025, 16)}))
MAX_TILES = 16
# Fewer freely sized points than this cannot pin a grid and its wrapper.
MIN_FREE_POINTS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Discovery:
    """A geometry that reproduces every probed size, and what it is in words."""

    geometry: ImageGeometry
    how: str


def _rounded_cells(width: int, height: int, factor: int) -> int:
    # As smart_resize: a side under half a cell rounds to none, so the image is raised.
    return round(width / factor) * round(height / factor)


def _padded_cells(width: int, height: int, factor: int) -> int:
    return math.ceil(width / factor) * math.ceil(height / factor)


def _smart_cells(point: Point, factor: int, min_pixels: int, max_pixels: int) -> int | None:
    try:
        grid_w, grid_h = smart_resize(point[0], point[1], min_pixels, max_pixels, factor=factor)
    except UnsupportedImageError:
        return None
    return (grid_w // factor) * (grid_h // factor)


def _first(candidates: Iterable[int], fits: Callable[[int], bool]) -> int | None:
    return next((value for value in candidates if fits(value)), None)


def _split(
    points: Sequence[Point], cells: Callable[[Point], int], wrapper: int
) -> tuple[list[Point], list[Point], list[Point]] | None:
    """The points sized freely, capped by a maximum and raised by a minimum, when consistent."""
    free = [point for point in points if cells(point) + wrapper == point[2]]
    capped = [point for point in points if cells(point) + wrapper > point[2]]
    raised = [point for point in points if cells(point) + wrapper < point[2]]
    if len(free) < MIN_FREE_POINTS:
        return None
    largest_free = max(cells(point) for point in free)
    smallest_free = min(cells(point) for point in free)
    if any(cells(point) <= largest_free for point in capped):
        return None
    if any(cells(point) >= smallest_free for point in raised):
        return None
    return free, capped, raised


def _rounded(points: Sequence[Point], factor: int, wrapper: int) -> RoundedGrid | None:
    def cells(point: Point) -> int:
        return _rounded_cells(point[0], point[1], factor)

    split = _split(points, cells, wrapper)
    if split is None:
        return None
    free, capped, raised = split
    cell = factor * factor
    largest_free = max(cells(point) for point in free)
    smallest_free = min(cells(point) for point in free)
    max_cells: int | None = largest_free
    if capped:
        top = min(cells(point) for point in capped)
        max_cells = _first(
            range(largest_free, top),
            lambda k: all(
                _smart_cells(p, factor, cell, k * cell) == p[2] - wrapper for p in capped
            ),
        )
    min_cells: int | None = 1
    if raised:
        min_cells = _first(
            reversed(range(max(cells(point) for point in raised) + 1, smallest_free + 1)),
            lambda k: all(
                _smart_cells(p, factor, k * cell, 1 << 40) == p[2] - wrapper for p in raised
            ),
        )
    if max_cells is None or min_cells is None:
        return None
    return RoundedGrid(
        family=f"a measured {factor}-px grid",
        factor=factor,
        min_pixels=min_cells * cell,
        max_pixels=max_cells * cell,
        wrapper_tokens=wrapper,
    )


def _padded(points: Sequence[Point], factor: int, wrapper: int) -> PaddedGrid | None:
    def cells(point: Point) -> int:
        return _padded_cells(point[0], point[1], factor)

    split = _split(points, cells, wrapper)
    if split is None:
        return None
    free, capped, raised = split
    largest_free = max(cells(point) for point in free)
    smallest_free = min(cells(point) for point in free)

    def grid(min_tokens: int, max_tokens: int) -> PaddedGrid:
        return PaddedGrid(
            family=f"a measured {factor}-px padded grid",
            factor=factor,
            min_tokens=min_tokens,
            max_tokens=max_tokens,
            wrapper_tokens=wrapper,
        )

    max_cells: int | None = largest_free
    if capped:
        top = min(cells(point) for point in capped)
        max_cells = _first(
            range(largest_free, top),
            lambda k: all(grid(1, k).tokens(p[0], p[1]) == p[2] for p in capped),
        )
    min_cells: int | None = 1
    if raised:
        min_cells = _first(
            reversed(range(max(cells(point) for point in raised) + 1, smallest_free + 1)),
            lambda k: all(grid(k, 1 << 30).tokens(p[0], p[1]) == p[2] for p in raised),
        )
    if max_cells is None or min_cells is None:
        return None
    return grid(min_cells, max_cells)


def _tiles(points: Sequence[Point], tile: int, max_tiles: int) -> TileCanvas | None:
    counts = [best_canvas(w, h, tile=tile, max_tiles=max_tiles)[2] for w, h, _ in points]
    singles = {point[2] for point, count in zip(points, counts, strict=True) if count == 1}
    several = sorted(
        {(count, point[2]) for point, count in zip(points, counts, strict=True) if count > 1}
    )
    if len(singles) > 1 or len({count for count, _ in several}) < 2:
        return None
    (n1, t1), (n2, t2) = several[0], several[-1]
    if (t2 - t1) % (n2 - n1):
        return None
    per_tile = (t2 - t1) // (n2 - n1)
    fixed = t1 - per_tile * n1
    if per_tile <= 0 or any(count * per_tile + fixed != tokens for count, tokens in several):
        return None
    return TileCanvas(
        family=f"measured {tile}-px tiles",
        tile=tile,
        max_tiles=max_tiles,
        tokens_per_tile=per_tile,
        fixed_tokens=fixed,
        single_tile_tokens=singles.pop() if singles else per_tile + fixed,
    )


def _preferred(value: int, usual: Sequence[int]) -> int:
    return usual.index(value) if value in usual else len(usual)


def _grids(points: Sequence[Point]) -> Iterator[tuple[int, int, ImageGeometry, str]]:
    for factor in GRID_FACTORS:
        for wrapper in range(MAX_WRAPPER_TOKENS + 1):
            rounded = _rounded(points, factor, wrapper)
            if rounded is not None:
                yield factor, wrapper, rounded, "rounded"
            padded = _padded(points, factor, wrapper)
            if padded is not None:
                yield factor, wrapper, padded, "padded"


def _exact(geometry: ImageGeometry, points: Sequence[Point]) -> bool:
    return all(geometry.tokens(width, height) == tokens for width, height, tokens in points)


def _discover_grid(points: Sequence[Point]) -> Discovery | None:
    found = [item for item in _grids(points) if _exact(item[2], points)]
    if not found:
        return None
    factor, wrapper, geometry, kind = min(
        found, key=lambda item: (_preferred(item[0], USUAL_FACTORS), item[3] != "rounded", item[0])
    )
    rule = "each side rounded to" if kind == "rounded" else "padded up to"
    how = f"{geometry.summary()} ({rule} {factor} px)"
    unbounded = _rounded_cells if kind == "rounded" else _padded_cells
    if not any(unbounded(w, h, factor) + wrapper > tokens for w, h, tokens in points):
        # Nothing probed was capped: the upper bound is only the largest size seen.
        how += "; no cap seen, so the largest probed size is the upper bound"
    return Discovery(geometry=geometry, how=how)


def _discover_tiles(points: Sequence[Point]) -> Discovery | None:
    found = [
        canvas
        for tile in TILE_SIDES
        for max_tiles in range(1, MAX_TILES + 1)
        if (canvas := _tiles(points, tile, max_tiles)) is not None and _exact(canvas, points)
    ]
    if not found:
        return None
    fewest = min(canvas.max_tiles for canvas in found)
    sides = sorted({canvas.tile for canvas in found if canvas.max_tiles == fewest})
    middle = sides[len(sides) // 2]
    side = min(sides, key=lambda value: (_preferred(value, USUAL_TILES), abs(value - middle)))
    canvas = next(item for item in found if item.tile == side and item.max_tiles == fewest)
    spread = "" if len(sides) == 1 else f"; any tile from {sides[0]} to {sides[-1]} px fits"
    seen = max(canvas.tiles(width, height) for width, height, _ in points)
    limit = "; no larger canvas seen" if seen == fewest else ""
    return Discovery(geometry=canvas, how=f"{canvas.summary()}{spread}{limit}")


def discover(points: Sequence[Point]) -> Discovery | None:
    """The grid or tile geometry that reproduces every probed size exactly, or None."""
    if len(points) < MIN_FREE_POINTS:
        return None
    return _discover_grid(points) or _discover_tiles(points)
