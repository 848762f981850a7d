"""The chat request as a value, and the exact JSON body the API expects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from vision.errors import RequestError
from vision.limits import MAX_IMAGES_PER_REQUEST

if TYPE_CHECKING:
    from vision.api.results import ChatResult

DEFAULT_SYSTEM_PROMPT = "You are an AI assistant."
# The sampling range of OpenAI-compatible servers (see docs/provider-api.md).
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.0, 2.0
DEFAULT_PROMPT = "What is in this image?"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageRef:
    """An image as it goes in a content part: a data URL or a public http(s) URL."""

    url: str = field(repr=False)
    label: str = ""

    @property
    def is_data_url(self) -> bool:
        """True when the image travels inline as base64."""
        return self.url.startswith("data:")


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    """An earlier exchange kept in the conversation: the user's text and images, the answer."""

    prompt: str
    images: tuple[ImageRef, ...] = ()
    answer: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestOptions:
    """The fields besides model, prompt and images: the system prompt and sampling limits."""

    system: str | None = DEFAULT_SYSTEM_PROMPT
    temperature: float | None = None
    max_tokens: int | None = None


def options_problem(temperature: float | None, max_tokens: int | None) -> str | None:
    """Why these sampling options cannot be sent (one sentence saying what to do), or None."""
    if temperature is not None and not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        return (
            f"Temperature {temperature:g} is outside {MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g}: "
            "pick a value in that range (lower is more deterministic)."
        )
    if max_tokens is not None and max_tokens < 1:
        return f"Max tokens {max_tokens} must be at least 1: give the longest answer to allow."
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatRequest:
    """What to ask one model: prompt, images and sampling parameters."""

    model: str
    prompt: str
    images: tuple[ImageRef, ...] = ()
    system: str | None = DEFAULT_SYSTEM_PROMPT
    temperature: float | None = None
    max_tokens: int | None = None
    history: tuple[Turn, ...] = ()

    @classmethod
    def asking(
        cls,
        model: str,
        prompt: str,
        images: tuple[ImageRef, ...] = (),
        options: RequestOptions | None = None,
    ) -> ChatRequest:
        """A first request to `model` with these options (the defaults when None)."""
        chosen = options or RequestOptions()
        return cls(
            model=model,
            prompt=prompt,
            images=images,
            system=chosen.system or None,
            temperature=chosen.temperature,
            max_tokens=chosen.max_tokens,
        )

    @property
    def options(self) -> RequestOptions:
        """This request's system prompt and sampling limits as one value."""
        return RequestOptions(
            system=self.system, temperature=self.temperature, max_tokens=self.max_tokens
        )


class ChatClient(Protocol):
    """What a batch or a rerun needs from a client: one blocking chat call (VisionClient has it)."""

    def chat(self, request: ChatRequest, /) -> ChatResult:
        """The model's whole answer to the request."""
        ...


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
    problem = options_problem(request.temperature, request.max_tokens)
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
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body
