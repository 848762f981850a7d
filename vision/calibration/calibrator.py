"""The calibrator: each model's measurements turned into what vision.images.profiles uses.

A model probed on purpose gets the geometry discovered from its latest probe; otherwise its
answers are fitted (per pixel, per tile or constant). For a model with a published geometry the
measurements only check it: a large disagreement is reported as a contradiction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from vision.calibration.discovery import Point, discover
from vision.calibration.fitting import fit_cost, geometry_error, predicted
from vision.calibration.measurements import Measurement, MeasurementStore, measure_answer
from vision.calibration.storage import JsonMeasurements, default_calibration_path
from vision.errors import CalibrationError
from vision.images.encoders import ImageGeometry
from vision.images.learned import Learned, use_learned
from vision.images.profiles import ModelProfile, published_profile

# Measurements further than this (relative RMS) from a published geometry contradict it: the
# text share of an answer is estimated, so a few per cent is noise; a server that resizes
# differently is off by tens of per cent.
CONTRADICTION_ERROR = 0.15


def probe_points(measurements: Sequence[Measurement]) -> list[Point]:
    """The single-image exact measurements of the latest probe, as (width, height, tokens)."""
    probed = [item for item in measurements if item.exact and item.probe and len(item.sizes) == 1]
    if not probed:
        return []
    latest = max(probed, key=lambda item: item.taken_at).probe
    return [(*item.sizes[0], item.image_tokens) for item in probed if item.probe == latest]


def _worst(geometry: ImageGeometry, measurements: Sequence[Measurement]) -> str:
    worst = max(
        measurements,
        key=lambda item: abs(predicted(geometry, item) - item.image_tokens) / item.image_tokens,
    )
    sizes = " + ".join(f"{width}×{height}" for width, height in worst.sizes)
    return (
        f"{sizes} cost {worst.image_tokens:,} tokens where it predicts "
        f"{predicted(geometry, worst):,}"
    )


def contradiction(profile: ModelProfile, measurements: Sequence[Measurement]) -> str | None:
    """A sentence when the measurements disagree with the model's published geometry."""
    if profile.basis.kind != "published" or not measurements:
        return None
    error = geometry_error(profile.geometry, measurements)
    if error <= CONTRADICTION_ERROR:
        return None
    return (
        f"{len(measurements)} measured answers disagree with {profile.family}'s published "
        f"geometry by ±{error * 100:.0f}% ({_worst(profile.geometry, measurements)}): the "
        f"server may resize images its own way; run `vision probe -m {profile.name}` to see how."
    )


def learn(model: str, measurements: Sequence[Measurement]) -> Learned | None:
    """What these measurements of one model say, or None when they say too little."""
    if not measurements:
        return None
    profile = published_profile(model)
    if profile.basis.kind == "published":
        # A published geometry stays in use; its measurements can only flag it.
        conflict = contradiction(profile, measurements)
        if conflict is None:
            return None
        return Learned(
            geometry=profile.geometry,
            how=profile.basis.how,
            answers=len(measurements),
            error=geometry_error(profile.geometry, measurements),
            contradiction=conflict,
        )
    geometry: ImageGeometry | None = None
    how = ""
    points = probe_points(measurements)
    if points:
        discovery = discover(points)
        if discovery is not None:
            geometry, how = discovery.geometry, f"{discovery.how}, from a probe"
    if geometry is None:
        exact = [item for item in measurements if item.exact]
        fit = fit_cost(exact) or fit_cost(measurements)
        if fit is not None:
            geometry, how = fit.cost, fit.cost.summary()
    if geometry is None:
        return None
    return Learned(
        geometry=geometry,
        how=how,
        answers=len(measurements),
        error=geometry_error(geometry, measurements),
    )


class Calibrator:
    """Serves each model's fit from a MeasurementStore to the profiles, refitting on change."""

    def __init__(self, store: MeasurementStore) -> None:
        self.store = store
        self.problem: str | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple[Measurement, ...], Learned | None]] = {}

    def learned(self, model: str) -> Learned | None:
        """What this model's measurements say (None when too few, or the store is unreadable:
        then `problem` says why, and estimates fall back to the published or generic ones)."""
        try:
            measurements = self.store.measurements(model)
        except CalibrationError as error:
            self.problem = str(error)
            return None
        with self._lock:
            cached = self._cache.get(model)
        if cached is not None and cached[0] == measurements:
            return cached[1]
        result = learn(model, measurements)
        with self._lock:
            self._cache[model] = (measurements, result)
        return result

    def record(self, model: str, measurement: Measurement) -> None:
        """Keep one measurement of this model (the next estimate uses it)."""
        self.store.record(model, measurement)

    def record_answer(
        self,
        model: str,
        *,
        sizes: Sequence[tuple[int, int]],
        texts: Sequence[str],
        prompt_tokens: int | None,
    ) -> Measurement | None:
        """Keep what one answer says its images cost (sizes as sent, every text of the request
        with the system prompt); returns the measurement, or None when it says nothing."""
        measurement = measure_answer(sizes, texts, prompt_tokens)
        if measurement is not None:
            self.record(model, measurement)
        return measurement


def default_calibrator() -> Calibrator:
    """A calibrator on the JSON file beside the history (default_calibration_path)."""
    return Calibrator(JsonMeasurements(default_calibration_path()))


def install(calibrator: Calibrator | None) -> None:
    """Make every estimate and preparation use this calibrator from now on (None: none)."""
    use_learned(calibrator)


@contextmanager
def calibrating(calibrator: Calibrator) -> Iterator[Calibrator]:
    """Use this calibrator inside the block, then restore whatever was used before."""
    previous = use_learned(calibrator)
    try:
        yield calibrator
    finally:
        use_learned(previous)


def calibrator_at(path: Path | str) -> Calibrator:
    """A calibrator on a JSON file of measurements."""
    return Calibrator(JsonMeasurements(path))
