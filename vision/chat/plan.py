"""What Send will send: the requests per model, each with its preflight, built before sending.

Llama 3.2 Vision attends reliably to one image per request (meta-llama/llama-models#163), so
with several images the user picks: one stitched grid, one request per image, or as they are.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from vision.api.catalog import Catalog
from vision.chat.conversation import SentImage
from vision.chat.preflight import Preflight, preflight
from vision.chat.preparation import ImageStatus
from vision.errors import RequestError, VisionError, without_traceback
from vision.grounding.asking import locate_prompt
from vision.images.documents.drawing import stitch_sources
from vision.images.profiles import profile_for
from vision.images.stitched import prepare_stitched
from vision.markdown import clip
from vision.values.grounding import LocateTask
from vision.values.image import PreparedImage
from vision.values.request import ChatRequest, ImageRef, RequestOptions

LlamaMode = Literal["stitch", "per_image", "as_is"]
LLAMA_MODE_LABELS: dict[LlamaMode, str] = {
    "stitch": "Stitch into one labelled grid",
    "per_image": "One request per image",
    "as_is": "Send as is",
}
# Stitching is what Meta's cookbook recommends (llama-cookbook#966): one image, every picture.
DEFAULT_LLAMA_MODE: LlamaMode = "stitch"
# A stitched grid per set of images, model and labels: the cache plan_run is given.
StitchCache = MutableMapping[object, "SentImage | VisionError"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ask:
    """One request of a run, what it carries and its preflight."""

    request: ChatRequest = field(repr=False)
    label: str
    preflight: Preflight
    sent: tuple[SentImage, ...] = field(default=(), repr=False)
    # The person's own images behind what is sent, where they differ (a grid's pictures).
    attached: tuple[SentImage, ...] = field(default=(), repr=False)


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
        return next((ask.preflight.reason for ask in self.asks if ask.preflight.overflows), None)

    @property
    def requests(self) -> list[ChatRequest]:
        """The requests in column order."""
        return [ask.request for ask in self.asks]


def locate_problem(sendable: Sequence[ImageStatus]) -> str | None:
    """Why these images cannot be asked where something is, or None: Locate reads the boxes
    back onto one picture whose pixels the app has."""
    if len(sendable) != 1:
        count = len(sendable)
        return (
            "Locate looks in one image: add one."
            if count == 0
            else f"Locate looks in one image at a time: remove {count - 1} of the {count}."
        )
    if not sendable[0].prepared:
        return (
            "Locate needs the image's pixels to put the boxes back on it: set URL images to a "
            "checked mode (fetched here)."
        )
    return None


def stitchable(statuses: Sequence[ImageStatus]) -> bool:
    """True when every image has pixels here to draw into a grid (an unchecked URL has none)."""
    return all(status.entry.data is not None for status in statuses)


def _stitch_blocked(
    statuses: Sequence[ImageStatus], models: set[str], per_image: RunPlan, as_is: RunPlan
) -> str:
    """Why the chosen grid cannot be made, and what each other way would cost these models."""
    unchecked = sum(1 for status in statuses if status.entry.data is None)
    images = f"{unchecked} URL image{'s are' if unchecked > 1 else ' is'}"

    def cost(plan: RunPlan) -> tuple[int, int]:
        asks = [ask for ask in plan.asks if ask.request.model in models]
        return len(asks), sum(ask.preflight.prompt_tokens for ask in asks)

    (per_count, per_tokens), (as_count, as_tokens) = cost(per_image), cost(as_is)
    return (
        f"Stitching needs every image's pixels, and {images} sent unchecked: set URL images "
        "to a checked mode, or choose another way here: one request per image makes "
        f"{per_count} requests (≈{per_tokens:,} prompt tokens), sending as is makes "
        f"{as_count} (≈{as_tokens:,})."
    )


def llama_models(models: Sequence[str], statuses: Sequence[ImageStatus]) -> list[str]:
    """The chosen models that would get more images than they attend to reliably."""
    count = sum(1 for status in statuses if status.sendable)
    return [model for model in models if count > profile_for(model).recommended_max_images]


def _stitched(
    cache: StitchCache, statuses: Sequence[ImageStatus], model: str
) -> SentImage | VisionError:
    """The labelled grid of these images prepared for this model, made once per set; its own
    bytes are kept as its original, so a run that sent it can be rerun."""
    labels = tuple(f"{status.position}. {clip(status.entry.label, 40)}" for status in statuses)
    key = (
        tuple((status.entry.sha256, status.entry.parts) for status in statuses),
        labels,
        model,
    )
    if key not in cache:
        cache.clear()  # only the current set is worth keeping
        try:
            grid = stitch_sources(
                [status.entry.data or b"" for status in statuses],
                labels,
                [status.entry.parts for status in statuses],
            )
            name = f"grid of {len(statuses)} images.png"
            prepared = prepare_stitched(grid, filename=name, model=model)
            cache[key] = SentImage(
                name=name,
                prepared=prepared,
                original=grid.data,
                original_sha256=prepared.source_sha256,
            )
        except VisionError as err:
            cache[key] = without_traceback(err)
    return cache[key]


def sent_image(status: ImageStatus, model: str) -> SentImage | None:
    """What the history keeps of this image as sent to `model`; None for an unchecked URL."""
    prepared = status.prepared.get(model)
    if prepared is None:
        return None  # an unchecked URL: nothing prepared to keep
    return SentImage(
        name=status.entry.source_label,  # its page or frame is kept beside it (parts)
        prepared=prepared,
        url=status.entry.url,
        original=status.entry.data,
        original_sha256=prepared.source_sha256,
    )


def plan_run(
    stitched: StitchCache,
    *,
    catalog: Catalog | None,
    models: Sequence[str],
    prompt: str,
    options: RequestOptions,
    statuses: Sequence[ImageStatus],
    llama_mode: LlamaMode,
    locate: LocateTask | None = None,
) -> RunPlan:
    """The requests for the chosen models with these images, each checked against its model;
    with `locate`, each model is asked where the thing is in its family's own words, at the
    size its one image is sent (docs/grounding.md)."""
    sendable = [status for status in statuses if status.sendable]
    if locate is not None:
        problem = locate_problem(sendable)
        if problem is not None:
            return RunPlan(problem=problem)
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
        asked = prompt
        if locate is not None:
            size = (prepared[0].width, prepared[0].height)
            asked = locate_prompt(model, locate.target, size, kind=locate.kind)
        request = ChatRequest.asking(model, asked, refs, options)
        info = catalog.info(model) if catalog is not None else None
        checked = preflight(
            model,
            prepared,
            asked,
            options.system or "",
            options.max_tokens,
            info,
            unchecked_images=unchecked,
        )
        return Ask(request=request, label=label, preflight=checked, sent=sent)

    if llama_mode == "stitch" and several and not stitchable(sendable):
        # The person chose a grid: say what stops it and what the others cost; never switch.
        def other(mode: LlamaMode) -> RunPlan:
            return plan_run(
                stitched,
                catalog=catalog,
                models=models,
                prompt=prompt,
                options=options,
                statuses=statuses,
                llama_mode=mode,
            )

        return RunPlan(
            problem=_stitch_blocked(sendable, several, other("per_image"), other("as_is"))
        )
    if locate is not None:
        try:
            return RunPlan(asks=tuple(ask(model, sendable) for model in models))
        except RequestError as unaskable:  # only the locate question raises here
            return RunPlan(problem=str(unaskable))
    for model in models:
        if model not in several or llama_mode == "as_is":
            asks.append(ask(model, sendable))
        elif llama_mode == "per_image":
            for status in sendable:
                label = f"Image {status.position}: {clip(status.entry.label, 40)}"
                asks.append(ask(model, [status], label))
        else:
            grid = _stitched(stitched, sendable, model)
            if isinstance(grid, VisionError):
                return RunPlan(problem=f"The images could not be stitched: {grid}")
            label = f"{len(sendable)} images stitched into one labelled grid"
            made = _ask(model, (grid.ref,), [grid.prepared], 0, label, (grid,))
            pictures = tuple(image for status in sendable if (image := sent_image(status, model)))
            asks.append(replace(made, attached=pictures))
    return RunPlan(asks=tuple(asks))
