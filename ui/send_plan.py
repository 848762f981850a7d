"""What Send will send: the requests per model, each with its preflight, built before sending.

Llama 3.2 Vision attends reliably to one image per request (meta-llama/llama-models#163), so
with several images the user picks: one stitched grid, one request per image, or as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import streamlit as st

from ui.answers import compact_name
from ui.conversation import SentImage
from ui.model_picker import Catalog
from ui.parameters import Parameters
from ui.preparation import ImageStatus
from ui.state import SessionState
from ui.text import clip
from vision import ChatRequest, ImageRef, PreparedImage, VisionError, prepare_image
from vision.preflight import Preflight, preflight
from vision.profiles import profile_for
from vision.stitch import stitch_grid

LlamaMode = Literal["stitch", "per_image", "as_is"]
LLAMA_MODE_LABELS: dict[LlamaMode, str] = {
    "stitch": "Stitch into one labelled grid",
    "per_image": "One request per image",
    "as_is": "Send as is",
}
# Stitching is what Meta's cookbook recommends (llama-cookbook#966): one image, every picture.
DEFAULT_LLAMA_MODE: LlamaMode = "stitch"
LLAMA_MODE_KEY = "llama_images"
STITCHED_KEY = "_stitched"


@dataclass(frozen=True, slots=True, kw_only=True)
class Ask:
    """One request of a run, what it carries and its preflight."""

    request: ChatRequest = field(repr=False)
    label: str
    check: Preflight
    sent: tuple[SentImage, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPlan:
    """Every request Send will make, or the one sentence saying why it cannot."""

    asks: tuple[Ask, ...] = ()
    problem: str | None = None

    @property
    def blocking(self) -> str | None:
        """Why Send must not go ahead (a stitch failed, a request overflows), or None."""
        if self.problem:
            return self.problem
        return next((ask.check.reason for ask in self.asks if ask.check.overflows), None)

    @property
    def requests(self) -> list[ChatRequest]:
        """The requests in column order."""
        return [ask.request for ask in self.asks]


def _stitchable(statuses: Sequence[ImageStatus]) -> bool:
    return all(status.entry.data is not None for status in statuses)


def llama_models(models: Sequence[str], statuses: Sequence[ImageStatus]) -> list[str]:
    """The chosen models that would get more images than they attend to reliably."""
    count = sum(1 for status in statuses if status.sendable)
    return [model for model in models if count > profile_for(model).recommended_max_images]


def choose_llama_mode(models: Sequence[str], statuses: Sequence[ImageStatus]) -> LlamaMode:
    """Offer the three ways to send several images to Llama 3.2 (only when that applies)."""
    affected = llama_models(models, statuses)
    if not affected:
        return DEFAULT_LLAMA_MODE
    options: list[LlamaMode] = list(LLAMA_MODE_LABELS)
    if not _stitchable(statuses):
        options.remove("stitch")  # an unchecked URL has no pixels here to stitch
    names = ", ".join(compact_name(model) for model in affected)
    choice: LlamaMode | None = st.radio(
        f"{names}: several images",
        options,
        format_func=lambda mode: LLAMA_MODE_LABELS[mode],
        key=LLAMA_MODE_KEY,
        horizontal=True,
        help=f"{profile_for(affected[0]).note} A grid shows every image in one picture, each "
        "under its number and name; one request per image gets one answer per image.",
    )
    return choice if choice in options else options[0]


def _stitched(
    state: SessionState, statuses: Sequence[ImageStatus], model: str
) -> PreparedImage | VisionError:
    """The labelled grid of these images prepared for this model, made once per set."""
    labels = tuple(f"{status.position}. {clip(status.entry.label, 40)}" for status in statuses)
    key = (tuple(status.entry.sha256 for status in statuses), labels, model)
    cache: dict[object, PreparedImage | VisionError] = state.setdefault(STITCHED_KEY, {})
    if key not in cache:
        cache.clear()  # only the current set is worth keeping
        try:
            grid = stitch_grid([status.entry.data or b"" for status in statuses], labels)
            cache[key] = prepare_image(
                grid, filename=f"grid of {len(statuses)} images.png", model=model
            )
        except VisionError as err:
            err.__traceback__ = None
            cache[key] = err
    return cache[key]


def sent_image(status: ImageStatus, model: str) -> SentImage | None:
    """What the history keeps of this image as sent to `model`; None for an unchecked URL."""
    prepared = status.prepared.get(model)
    if prepared is None:
        return None  # an unchecked URL: nothing prepared to keep
    return SentImage(
        name=status.entry.label,
        prepared=prepared,
        url=status.entry.url,
        original=status.entry.data,
        original_sha256=prepared.source_sha256,
    )


def plan_run(
    state: SessionState,
    *,
    catalog: Catalog | None,
    models: Sequence[str],
    prompt: str,
    params: Parameters,
    statuses: Sequence[ImageStatus],
    llama_mode: LlamaMode,
) -> RunPlan:
    """The requests for the chosen models with these images, each checked against its model."""
    sendable = [status for status in statuses if status.sendable]
    several = set(llama_models(models, sendable))
    asks: list[Ask] = []

    def ask(model: str, group: Sequence[ImageStatus], label: str = "") -> Ask:
        refs = tuple(status.ref_for(model) for status in group)
        prepared = [status.prepared[model] for status in group if model in status.prepared]
        sent = tuple(image for status in group if (image := sent_image(status, model)))
        return _ask(model, refs, prepared, len(group) - len(prepared), label, sent)

    def _ask(
        model: str,
        refs: tuple[ImageRef, ...],
        prepared: Sequence[PreparedImage],
        unchecked: int,
        label: str,
        sent: tuple[SentImage, ...],
    ) -> Ask:
        request = ChatRequest(
            model=model,
            prompt=prompt,
            images=refs,
            system=params.system or None,
            temperature=params.temperature,
            max_tokens=params.max_tokens,
        )
        info = catalog.info(model) if catalog is not None else None
        check = preflight(
            model,
            prepared,
            prompt,
            params.system,
            params.max_tokens,
            info,
            unchecked_images=unchecked,
        )
        return Ask(request=request, label=label, check=check, sent=sent)

    for model in models:
        if model not in several or llama_mode == "as_is":
            asks.append(ask(model, sendable))
        elif llama_mode == "per_image":
            for status in sendable:
                label = f"Image {status.position}: {clip(status.entry.label, 40)}"
                asks.append(ask(model, [status], label))
        else:
            grid = _stitched(state, sendable, model)
            if isinstance(grid, VisionError):
                return RunPlan(problem=f"The images could not be stitched: {grid}")
            sent = (SentImage(name=grid.filename or "grid", prepared=grid),)
            label = f"{len(sendable)} images stitched into one labelled grid"
            asks.append(_ask(model, (grid.as_ref(),), [grid], 0, label, sent))
    return RunPlan(asks=tuple(asks))
