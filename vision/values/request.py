"""What is asked of a model: the request, its images, earlier turns and sampling options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, get_args

if TYPE_CHECKING:
    from vision.values.result import ChatResult

DEFAULT_SYSTEM_PROMPT = "You are an AI assistant."
# The sampling range of OpenAI-compatible servers (see docs/provider-api.md).
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.0, 2.0
DEFAULT_PROMPT = "What is in this image?"
# How hard a reasoning model thinks before it answers: the values of the service's
# `reasoning: {"effort": ...}` (docs/provider-api.md).
Effort = Literal["none", "low", "medium", "high"]
EFFORTS: tuple[Effort, ...] = get_args(Effort)


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
class Reasoning:
    """A reasoning effort and the models it is sent to: those of the chosen ones that reason
    (vision/api/reasoning.py decides which); `declined` are the chosen ones that do not."""

    effort: Effort
    models: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()

    def effort_for(self, model: str) -> Effort | None:
        """The effort to send to this model, or None when it does not take one."""
        return self.effort if model in self.models else None

    @property
    def notice(self) -> str | None:
        """The sentence saying which chosen models do not get the effort, or None."""
        if not self.declined:
            return None
        names = ", ".join(name.rsplit("/", 1)[-1] for name in self.declined)
        one = len(self.declined) == 1
        return (
            f"{names} {'is not a reasoning model' if one else 'are not reasoning models'}, so "
            f"the {self.effort} reasoning effort is not sent to {'it' if one else 'them'}."
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestOptions:
    """The fields besides model, prompt and images: the system prompt, sampling limits, and
    the reasoning effort with the models that take it."""

    system: str | None = DEFAULT_SYSTEM_PROMPT
    temperature: float | None = None
    max_tokens: int | None = None
    reasoning: Reasoning | None = None


def effort_named(value: object) -> Effort | None:
    """The effort this value names ("high"), or None for anything else."""
    return next((effort for effort in EFFORTS if effort == value), None)


def effort_problem(effort: object) -> str | None:
    """Why this is not a reasoning effort the service takes (a sentence), or None."""
    if effort is None or effort in EFFORTS:
        return None
    return f"The reasoning effort {effort!r} is not one of {', '.join(EFFORTS)}: pick one of those."


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
    # Sent as `reasoning: {"effort": ...}`; only a model that reasons should get one.
    reasoning_effort: Effort | None = None

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
            reasoning_effort=chosen.reasoning.effort_for(model) if chosen.reasoning else None,
        )

    @property
    def options(self) -> RequestOptions:
        """This request's system prompt, sampling limits and reasoning effort as one value."""
        effort = self.reasoning_effort
        return RequestOptions(
            system=self.system,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            reasoning=Reasoning(effort=effort, models=(self.model,)) if effort else None,
        )


class ChatClient(Protocol):
    """What a batch or a rerun needs from a client: one blocking chat call (VisionClient has it)."""

    def chat(self, request: ChatRequest, /) -> ChatResult:
        """The model's whole answer to the request."""
        ...
