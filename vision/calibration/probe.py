"""Measuring a model on purpose: one synthetic image at a few sizes, against a text baseline.

The plan (and its cost) is known before anything is sent; each answer's prompt_tokens minus the
baseline's is exactly what that image cost, so the encoder's grid or tiles, its pixel bounds and
its extra tokens can be discovered (vision.calibration.discovery; docs/geometry.md).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from vision.calibration.calibrator import Calibrator, calibrating
from vision.calibration.discovery import Discovery, Point, discover
from vision.calibration.measurements import Measurement
from vision.errors import CalibrationError
from vision.images.encode import data_url
from vision.images.profiles import (
    EstimateBasis,
    estimate_image_tokens,
    estimate_text_tokens,
    profile_for,
    published_profile,
)
from vision.values.request import ChatClient, ChatRequest, ImageRef
from vision.values.result import ChatResult, ModelInfo

# Small and odd sizes pin the cell and a lower bound, 1280×720 and the two large ones (of three
# shapes) pin an upper bound; none is a multiple of the usual 14, 16, 28 or 32 px on both sides.
PROBE_SIZES: tuple[tuple[int, int], ...] = (
    (40, 30),
    (64, 16),
    (200, 150),
    (333, 222),
    (500, 375),
    (700, 300),
    (1280, 720),
    (1600, 1200),
    (2400, 800),
)
PROBE_PROMPT = "Reply with one word: ok."
PROBE_MAX_TOKENS = 1
# Four colours in an 8×8 pattern, scaled without smoothing: a few kB as PNG at any size.
_PATTERN = ((230, 57, 70), (29, 53, 87), (241, 250, 238), (69, 123, 157))

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbePlan:
    """What a probe will send, and what it should cost, before anything is sent."""

    model: str
    sizes: tuple[tuple[int, int], ...]
    estimated_prompt_tokens: int
    estimated_cost: float | None
    basis: EstimateBasis

    @property
    def requests(self) -> int:
        """One request per size plus the text-only baseline."""
        return len(self.sizes) + 1

    def lines(self) -> list[str]:
        """The plan in a few lines a person can agree to."""
        sizes = ", ".join(f"{width}×{height}" for width, height in self.sizes)
        cost = "" if self.estimated_cost is None else f", about ${self.estimated_cost:.4f}"
        return [
            f"Probe of {self.model}: {self.requests} requests of at most {PROBE_MAX_TOKENS} "
            f"completion token, one without an image, then one synthetic PNG at each size:",
            f"  {sizes}",
            f"  estimated cost: ≈{self.estimated_prompt_tokens:,} prompt tokens{cost} "
            f"(estimates: {self.basis.label})",
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeReport:
    """What a probe measured, what it learned, and how that compares with the published geometry."""

    model: str
    baseline_tokens: int
    points: tuple[Point, ...]
    discovery: Discovery | None
    check: str | None
    contradicts: bool
    basis: EstimateBasis

    def lines(self) -> list[str]:
        """The measurements and the conclusion, one fact a line."""
        lines = [f"Measured {self.model} (the prompt alone: {self.baseline_tokens:,} tokens):"]
        lines.extend(f"  {w}×{h}: {tokens:,} image tokens" for w, h, tokens in self.points)
        if self.discovery is not None:
            lines.append(f"Learned: {self.discovery.how}.")
        else:
            lines.append("No grid or tile geometry reproduces every size; the cost was fitted.")
        if self.check is not None:
            lines.append(self.check)
        lines.append(f"From now on its estimates are: {self.basis.label} ({self.basis.how}).")
        return lines


def probe_image(width: int, height: int) -> bytes:
    """The probe's synthetic picture at width×height, as PNG."""
    pattern = Image.new("RGB", (8, 8))
    pattern.putdata(
        [_PATTERN[(x // 2 + y // 2 + (x == y)) % 4] for y in range(8) for x in range(8)]
    )
    buffer = io.BytesIO()
    pattern.resize((width, height), Image.Resampling.NEAREST).save(buffer, "PNG")
    return buffer.getvalue()


def plan_probe(
    model: str,
    info: ModelInfo | None = None,
    sizes: tuple[tuple[int, int], ...] = PROBE_SIZES,
) -> ProbePlan:
    """The probe of a model and its estimated cost; raises CalibrationError for a text model."""
    profile = profile_for(model, info)
    if not profile.accepts_images:
        raise CalibrationError(
            f"{model} does not take images, so there is nothing to measure; pick a vision model."
        )
    text = estimate_text_tokens(PROBE_PROMPT)
    images = sum(estimate_image_tokens(model, width, height) for width, height in sizes)
    prompt_tokens = text * (len(sizes) + 1) + images
    cost = None
    if info is not None and info.input_token_price is not None:
        output = (info.output_token_price or 0.0) * PROBE_MAX_TOKENS * (len(sizes) + 1)
        cost = info.input_token_price * prompt_tokens + output
    return ProbePlan(
        model=model,
        sizes=sizes,
        estimated_prompt_tokens=prompt_tokens,
        estimated_cost=cost,
        basis=profile.basis,
    )


def _prompt_tokens(result: ChatResult, what: str) -> int:
    tokens = result.usage.prompt_tokens
    if tokens is None:
        raise CalibrationError(
            f"The server reported no prompt_tokens for {what}, so a probe cannot measure "
            f"{result.model}; nothing was stored."
        )
    return tokens


def _ask(client: ChatClient, model: str, images: tuple[ImageRef, ...]) -> ChatResult:
    request = ChatRequest(
        model=model, prompt=PROBE_PROMPT, images=images, system=None, max_tokens=PROBE_MAX_TOKENS
    )
    return client.chat(request)


def _check(model: str, points: tuple[Point, ...]) -> tuple[str | None, bool]:
    profile = published_profile(model)
    if profile.kind == "generic":
        return None, False
    misses = [
        (w, h, tokens, profile.geometry.tokens(w, h))
        for w, h, tokens in points
        if profile.geometry.tokens(w, h) != tokens
    ]
    published = profile.basis.kind == "published"
    what = f"{profile.family}'s {'published' if published else 'guessed'} geometry"
    if not misses:
        return f"Agrees with {what} at every probed size.", False
    w, h, tokens, expected = max(misses, key=lambda miss: abs(miss[2] - miss[3]) / miss[2])
    verdict = "Contradicts" if published else "Differs from"
    return (
        f"{verdict} {what} at {len(misses)} of {len(points)} sizes (e.g. {w}×{h}: "
        f"{tokens:,} tokens measured, {expected:,} predicted).",
        published,
    )


def run_probe(
    client: ChatClient,
    plan: ProbePlan,
    calibrator: Calibrator,
    *,
    progress: Progress | None = None,
) -> ProbeReport:
    """Send the plan's requests, store each image's exact cost, and say what was learned."""
    total = plan.requests
    baseline = _prompt_tokens(_ask(client, plan.model, ()), "the prompt alone")
    if progress is not None:
        progress(1, total)
    points: list[Point] = []
    for done, (width, height) in enumerate(plan.sizes, start=2):
        ref = ImageRef(url=data_url("image/png", probe_image(width, height)), label="probe")
        measured = _prompt_tokens(_ask(client, plan.model, (ref,)), f"a {width}×{height} image")
        if measured <= baseline:
            raise CalibrationError(
                f"{plan.model} counted no tokens for a {width}×{height} image: it may not "
                "receive images at all, so nothing was stored."
            )
        points.append((width, height, measured - baseline))
        if progress is not None:
            progress(done, total)
    probe = f"probe-{time.time_ns()}"
    taken_at = time.time()
    for width, height, tokens in points:
        calibrator.record(
            plan.model,
            Measurement(
                sizes=((width, height),),
                image_tokens=tokens,
                exact=True,
                probe=probe,
                taken_at=taken_at,
            ),
        )
    check, contradicts = _check(plan.model, tuple(points))
    with calibrating(calibrator):
        basis = profile_for(plan.model).basis
    return ProbeReport(
        model=plan.model,
        baseline_tokens=baseline,
        points=tuple(points),
        discovery=discover(points),
        check=check,
        contradicts=contradicts,
        basis=basis,
    )
