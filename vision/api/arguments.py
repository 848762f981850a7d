"""Turning keyword fields into a ChatRequest, and the checks made before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from vision.api.reasoning import known_to_reason
from vision.errors import ModelCannotSeeImagesError, ReasoningNotSupportedError, RequestError
from vision.urls.shape import is_http_url
from vision.values.image import PreparedImage
from vision.values.request import DEFAULT_PROMPT, ChatRequest, ImageRef
from vision.values.result import ModelInfo

_FIELDS = frozenset(
    {
        "model",
        "prompt",
        "images",
        "system",
        "temperature",
        "max_tokens",
        "history",
        "reasoning_effort",
    }
)

ImageInput = PreparedImage | ImageRef | str


def _image_ref(image: ImageInput) -> ImageRef:
    if isinstance(image, PreparedImage):
        return image.as_ref()
    if isinstance(image, ImageRef):
        return image
    if isinstance(image, str) and (is_http_url(image) or image.startswith("data:image/")):
        return ImageRef(url=image, label=image if not image.startswith("data:") else "")
    shown = image[:60] if isinstance(image, str) else type(image).__name__
    raise RequestError(
        f"{shown!r} is not an image to send: give a prepared image (vision.prepare_image) or "
        "an http(s) URL."
    )


def make_request(request: ChatRequest | None, fields: Mapping[str, Any]) -> ChatRequest:
    """A ChatRequest from a request, keyword fields, or a request with fields overriding it."""
    unknown = sorted(set(fields) - _FIELDS)
    if unknown:
        raise RequestError(
            f"Unknown request field {unknown[0]!r}: use {', '.join(sorted(_FIELDS))}."
        )
    values = dict(fields)
    if "images" in values:
        images = values["images"]
        if isinstance(images, PreparedImage | ImageRef | str):
            images = (images,)
        if not isinstance(images, Iterable):
            raise RequestError(
                "Give images as a list of prepared images or http(s) URLs and try again."
            )
        values["images"] = tuple(_image_ref(image) for image in images)
    if request is not None:
        return replace(request, **values) if values else request
    if not values.get("model"):
        raise RequestError("No model was chosen: pick a model from the models list and send again.")
    values.setdefault("prompt", DEFAULT_PROMPT)
    return ChatRequest(**values)


def ensure_sees_images(models: Iterable[ModelInfo], model: str, n_images: int) -> None:
    """Raise ModelCannotSeeImagesError when images go to a model listed as text-only."""
    if n_images == 0:
        return
    for info in models:
        if info.id == model and info.supports_images is False:
            raise ModelCannotSeeImagesError(
                f"The model {model!r} cannot see images (the server lists it as text-only): pick "
                "a vision model, such as one marked as seeing images in the models list."
            )


def ensure_takes_effort(models: Iterable[ModelInfo], model: str, effort: str | None) -> None:
    """Raise ReasoningNotSupportedError when an effort goes to a model known not to reason (by
    the server's /models, when listed, or its family); a model nobody knows about is let through."""
    if effort is None:
        return
    info = next((info for info in models if info.id == model), None)
    if known_to_reason(model, info) is False:
        raise ReasoningNotSupportedError(
            f"The model {model!r} does not reason, so it takes no reasoning effort: leave the "
            "effort unset for it, or pick a reasoning model (one the models list marks as "
            "reasoning)."
        )
