"""The exact JSON body of a chat request, shaped as the provider's docs show."""

from __future__ import annotations

from typing import Any

from vision.errors import RequestError
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.values.request import ChatRequest, ImageRef, effort_problem, options_problem


def user_content(prompt: str, images: tuple[ImageRef, ...]) -> list[dict[str, Any]]:
    """The user message's content parts: the text first, then one image_url part per image."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
    parts.extend({"type": "image_url", "image_url": {"url": image.url}} for image in images)
    return parts


def build_payload(request: ChatRequest, *, stream: bool = False) -> dict[str, Any]:
    """The JSON body of POST /chat/completions, shaped exactly as the provider's docs show."""
    total_images = len(request.images) + sum(len(turn.images) for turn in request.history)
    if total_images > MAX_IMAGES_PER_REQUEST:
        raise RequestError(
            f"This request has {total_images} images; the API takes at most "
            f"{MAX_IMAGES_PER_REQUEST}. Remove {total_images - MAX_IMAGES_PER_REQUEST} "
            "and send again."
        )
    problem = options_problem(request.temperature, request.max_tokens) or effort_problem(
        request.reasoning_effort
    )
    if problem:
        raise RequestError(problem)
    if not request.prompt.strip() and not request.images:
        raise RequestError("The prompt is empty: write a question about the image and send again.")
    messages: list[dict[str, Any]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    for turn in request.history:
        messages.append({"role": "user", "content": user_content(turn.prompt, turn.images)})
        messages.append({"role": "assistant", "content": turn.answer})
    messages.append({"role": "user", "content": user_content(request.prompt, request.images)})
    body: dict[str, Any] = {"model": request.model, "messages": messages}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body["max_tokens"] = request.max_tokens
    if request.reasoning_effort is not None:
        # The service's current field; the legacy top-level reasoning_effort is not sent.
        body["reasoning"] = {"effort": request.reasoning_effort}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body
