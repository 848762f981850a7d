"""The section runner: aligned tables, medians of repeated timings, and pass/fail verdicts."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """One target of the benchmark and whether this run met it."""

    target: str
    measured: str
    passed: bool | None  # None: could not be measured in this run


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a markdown table whose columns line up in a terminal too (numbers right-aligned)."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [
        max(len(header), *(len(row[i]) for row in cells)) if cells else len(header)
        for i, header in enumerate(headers)
    ]
    numeric = [
        bool(cells) and all(_looks_numeric(row[i]) for row in cells) for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        padded = (
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        )
        return "| " + " | ".join(padded) + " |"

    rule = "|".join(
        "-" * (width + 1) + ":" if right else "-" * (width + 2)
        for width, right in zip(widths, numeric, strict=True)
    )
    print(f"\n### {title}\n")
    print(line(list(headers)))
    print(f"|{rule}|")
    for row in cells:
        print(line(row))
    print()


def _looks_numeric(text: str) -> bool:
    stripped = re.sub(r"\s*(×|%|ms|s|MB)$", "", text).replace(",", "")
    try:
        float(stripped)
    except ValueError:
        return False
    return True


def medians(
    tasks: dict[str, Callable[[], object]], *, repeat: int, warmup: int = 1
) -> dict[str, float]:
    """Median seconds per task; tasks run interleaved so drift on a busy machine hits all alike."""
    for _ in range(warmup):
        for task in tasks.values():
            task()
    samples: dict[str, list[float]] = {name: [] for name in tasks}
    for _ in range(repeat):
        for name, task in tasks.items():
            start = time.perf_counter()
            task()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def ms(seconds: float) -> str:
    """Seconds as milliseconds, one decimal."""
    return f"{seconds * 1000:.1f}"


def mb(size: float) -> str:
    """Bytes as megabytes (10^6), two decimals."""
    return f"{size / 1_000_000:.2f}"


def summary(verdicts: Sequence[Verdict]) -> None:
    """The final table: every target with its figure and PASS, FAIL or N/A."""
    rows = [
        (
            verdict.target,
            verdict.measured,
            "N/A" if verdict.passed is None else "PASS" if verdict.passed else "FAIL",
        )
        for verdict in verdicts
    ]
    table("Summary", ("target", "measured", "result"), rows)
