"""What is asked of a model: the request, its images, earlier turns and sampling options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vision.values.result import ChatResult

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
