"""What a streamed chat completion has delivered so far, chunk by chunk."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vision.api.responses import content_text, parse_usage
from vision.values.result import Usage


@dataclass(slots=True)
class StreamState:
    """What a stream has delivered so far."""

    model: str
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    ttft_s: float | None = None

    def take(self, event: Mapping[str, Any], started: float) -> str:
        """Record one chunk; returns its text delta ('' when none)."""
        if isinstance(event.get("model"), str) and event["model"]:
            self.model = event["model"]
        if isinstance(event.get("usage"), Mapping):
            self.usage = parse_usage(event["usage"])
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
            return ""
        choice = choices[0]
        if isinstance(choice.get("finish_reason"), str):
            self.finish_reason = choice["finish_reason"]
        delta = choice.get("delta")
        if not isinstance(delta, Mapping):
            return ""
        thought = delta.get("reasoning_content") or delta.get("reasoning")
        if isinstance(thought, str):
            self.reasoning.append(thought)
        text = content_text(delta.get("content")) or ""
        if text:
            if self.ttft_s is None:
                self.ttft_s = time.perf_counter() - started
            self.text.append(text)
        return text
