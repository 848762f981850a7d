"""What one answer says its images cost, and the Protocol of anything that keeps such records."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from vision.errors import CalibrationError
from vision.images.profiles import estimate_text_tokens

# Per model, at most this many records are kept (the oldest answers go first): plenty for a
# fit, and a bounded file.
MAX_MEASUREMENTS_PER_MODEL = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Measurement:
    """The sizes of the images one answer carried (as sent) and the prompt tokens they took.

    exact: measured against a text-only baseline of the same prompt (a probe), so the text's
    share is known; otherwise it was estimated from the characters.
    """

    sizes: tuple[tuple[int, int], ...]
    image_tokens: int
    exact: bool = False
    probe: str | None = None
    taken_at: float = field(default_factory=time.time)

    def as_json(self) -> dict[str, Any]:
        """The record as plain JSON values."""
        return {
            "sizes": [list(size) for size in self.sizes],
            "image_tokens": self.image_tokens,
            "exact": self.exact,
            "probe": self.probe,
            "taken_at": self.taken_at,
        }

    @classmethod
    def from_json(cls, value: Any) -> Measurement:
        """A record read back; raises CalibrationError when it is not one."""
        try:
            sizes = tuple((int(width), int(height)) for width, height in value["sizes"])
            measurement = cls(
                sizes=sizes,
                image_tokens=int(value["image_tokens"]),
                exact=bool(value.get("exact", False)),
                probe=None if value.get("probe") is None else str(value["probe"]),
                taken_at=float(value.get("taken_at", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(
                "A calibration record is damaged; delete the calibration file and measure again."
            ) from exc
        if not sizes or measurement.image_tokens <= 0:
            raise CalibrationError(
                "A calibration record has no images or no tokens; delete the calibration file "
                "and measure again."
            )
        return measurement


class MeasurementStore(Protocol):
    """Where measurements are kept, per model (in memory, a JSON file, or the team's store)."""

    def record(self, model: str, measurement: Measurement) -> None:
        """Keep one more measurement of this model."""
        ...

    def measurements(self, model: str) -> tuple[Measurement, ...]:
        """Every kept measurement of this model, oldest first."""
        ...


def trimmed(kept: Sequence[Measurement]) -> list[Measurement]:
    """At most MAX_MEASUREMENTS_PER_MODEL records, dropping the oldest answers before probes."""
    records = list(kept)
    while len(records) > MAX_MEASUREMENTS_PER_MODEL:
        oldest_answer = next((i for i, item in enumerate(records) if not item.exact), 0)
        del records[oldest_answer]
    return records


class MemoryMeasurements:
    """A MeasurementStore in memory (tests, or a session that keeps nothing)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_model: dict[str, tuple[Measurement, ...]] = {}

    def record(self, model: str, measurement: Measurement) -> None:
        """Keep one more measurement of this model."""
        with self._lock:
            kept = (*self._by_model.get(model, ()), measurement)
            self._by_model[model] = tuple(trimmed(kept))

    def measurements(self, model: str) -> tuple[Measurement, ...]:
        """Every kept measurement of this model, oldest first."""
        with self._lock:
            return self._by_model.get(model, ())


def measure_answer(
    sizes: Sequence[tuple[int, int]], texts: Sequence[str], prompt_tokens: int | None
) -> Measurement | None:
    """What an answer's prompt_tokens say its images cost, the texts' share estimated at four
    characters a token; None when there is nothing to learn (no usage, no images, no cost)."""
    if prompt_tokens is None or not sizes:
        return None
    image_tokens = prompt_tokens - sum(estimate_text_tokens(text) for text in texts)
    if image_tokens <= 0:
        return None
    return Measurement(sizes=tuple(sizes), image_tokens=image_tokens)
