"""What comes back from the API: usage, a model's answer, and the models a server lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The finish reason of an answer the person stopped while it streamed: what it had said is kept.
STOPPED = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    """Token counts as the server reported them; None where it reported none."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    # The part of the completion a reasoning model spent thinking
    # (usage.completion_tokens_details.reasoning_tokens); None when the server gave none.
    reasoning_tokens: int | None = None

    @property
    def answer_tokens(self) -> int | None:
        """The completion tokens of the answer itself: the completion less its reasoning."""
        if self.completion_tokens is None:
            return None
        return max(0, self.completion_tokens - (self.reasoning_tokens or 0))

    @property
    def line(self) -> str:
        """The counts as one line, e.g. "1240 prompt + 12 completion = 1252 tokens", with the
        completion split as "(380 reasoning + 32 answer)" when the server counted reasoning."""
        if self.total_tokens is None:
            return "no usage reported"
        split = (
            f" ({self.reasoning_tokens} reasoning + {self.answer_tokens} answer)"
            if self.reasoning_tokens
            else ""
        )
        return (
            f"{self.prompt_tokens} prompt + {self.completion_tokens} completion{split} = "
            f"{self.total_tokens} tokens"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatResult:
    """One model's answer (`text`, the answer alone) with its reasoning, usage and timings."""

    text: str
    model: str
    finish_reason: str | None
    usage: Usage
    latency_s: float
    # Seconds to the first token of any kind (a reasoning model's first thought), and to the
    # first token of the answer itself; both None when not streamed.
    ttft_s: float | None = None
    complete: bool = True
    incomplete_reason: str | None = None
    reasoning: str | None = None
    answer_ttft_s: float | None = None
    raw: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def tokens_per_second(self) -> float | None:
        """Completion tokens per second after the first token, when both are known."""
        tokens = self.usage.completion_tokens
        if tokens is None or self.ttft_s is None:
            return None
        generating = self.latency_s - self.ttft_s
        if generating <= 0:
            return None
        return tokens / generating

    @property
    def truncated_by_length(self) -> bool:
        """True when the model stopped because it hit the max-token limit."""
        return self.finish_reason == "length"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelInfo:
    """A model the server lists, with what we could learn about it."""

    id: str
    supports_images: bool | None = None
    context_window: int | None = None
    max_tokens: int | None = None
    input_token_price: float | None = None
    output_token_price: float | None = None
    # Whether the model takes a reasoning effort, when the server says (None: it did not say).
    supports_reasoning: bool | None = None


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of a reasoning model's thinking as it streams, kept apart from the answer."""

    text: str
