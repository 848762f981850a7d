"""What a streamed chat completion has delivered so far, chunk by chunk."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vision.api.responses import content_text, parse_usage
from vision.values.result import ReasoningDelta, Usage

StreamPiece = str | ReasoningDelta


@dataclass(slots=True)
class StreamState:
    """What a stream has delivered so far."""

    model: str
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    ttft_s: float | None = None  # the first token of any kind
    answer_ttft_s: float | None = None  # the first token of the answer

    def take(self, event: Mapping[str, Any], started: float) -> list[StreamPiece]:
        """Record one chunk; returns its pieces: reasoning first, then answer text."""
        if isinstance(event.get("model"), str) and event["model"]:
            self.model = event["model"]
        if isinstance(event.get("usage"), Mapping):
            self.usage = parse_usage(event["usage"])
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
            return []
        choice = choices[0]
        if isinstance(choice.get("finish_reason"), str):
            self.finish_reason = choice["finish_reason"]
        delta = choice.get("delta")
        if not isinstance(delta, Mapping):
            return []
        pieces: list[StreamPiece] = []
        thought = delta.get("reasoning_content") or delta.get("reasoning")
        text = content_text(delta.get("content")) or ""
        thought = thought if isinstance(thought, str) else ""
        if (thought or text) and self.ttft_s is None:
            self.ttft_s = time.perf_counter() - started
        if thought:
            self.reasoning.append(thought)
            pieces.append(ReasoningDelta(thought))
        if text:
            if self.answer_ttft_s is None:
                # The same moment as the first token when the answer comes first.
                self.answer_ttft_s = (
                    self.ttft_s if not self.reasoning else time.perf_counter() - started
                )
            self.text.append(text)
            pieces.append(text)
        return pieces
