"""Geometries learned at run time (calibration, probes), as profiles look them up.

vision.calibration installs a source here; with none installed, nothing is learned and every
model keeps its published geometry or the generic guess.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from vision.images.encoders import ImageGeometry


@dataclass(frozen=True, slots=True, kw_only=True)
class Learned:
    """What a model's measured answers say about its image cost."""

    geometry: ImageGeometry
    how: str
    answers: int
    error: float
    contradiction: str | None = None


class LearnedSource(Protocol):
    """Anything that can say what was learned about a model (a vision.calibration.Calibrator)."""

    def learned(self, model: str) -> Learned | None:
        """What the measurements of this model say, or None when there are too few."""
        ...


_lock = threading.Lock()
_source: LearnedSource | None = None


def use_learned(source: LearnedSource | None) -> LearnedSource | None:
    """Install the source profiles consult (None: none); returns the one it replaces."""
    global _source
    with _lock:
        previous, _source = _source, source
    return previous


def learned_for(model: str | None) -> Learned | None:
    """What was learned about this model, or None."""
    source = _source
    if source is None or not model:
        return None
    return source.learned(model)
