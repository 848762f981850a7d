"""What the echo backend answers: a labelled description of the request, as JSON or SSE chunks."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from vision.echo.contract import ChatCall
from vision.echo.grounding import locate_reply
from vision.echo.images import URL_IMAGE_ASSUMED_SIZE, ReceivedImage
from vision.echo.judge import judge_reply
from vision.echo.thinking import compose_reasoning
from vision.sizes import human_size

ECHO_LABEL = "[echo backend — no model ran]"
# The reply the provider's troubleshooting table quotes for a model that cannot see images.
TEXT_ONLY_REPLY = "An image? I'm in text format, so I can't see it. Could you describe it instead?"
PROMPT_PREVIEW_CHARS = 300
_WORD = re.compile(r"\S+\s*")


def _describe_image(image: ReceivedImage) -> str:
    if image.source == "url":
        where = f" on {image.host}" if image.host else ""
        width, height = URL_IMAGE_ASSUMED_SIZE
        return (
            f"image {image.index}: a URL image{where} (not fetched by the echo), counted as "
            f"{width}×{height}, about {image.tokens} prompt tokens"
        )
    return (
        f"image {image.index}: {image.format} {image.width}×{image.height} "
        f"({human_size(image.size_bytes)}), about {image.tokens} prompt tokens"
    )


def _quoted_prompt(prompt: str) -> str:
    text = " ".join(prompt.split())
    if len(text) > PROMPT_PREVIEW_CHARS:
        text = text[:PROMPT_PREVIEW_CHARS].rstrip() + "…"
    return f"“{text}”"


def compose_answer(call: ChatCall) -> str:
    """The deterministic echo answer: which model, what prompt, which images (or, to a judge's
    prompt, the echo judge's verdict)."""
    judged = judge_reply(call.prompt, len(call.images))
    if judged is not None:
        return judged
    count = len(call.images)
    if not call.model.supports_images and count:
        noun = "image" if count == 1 else "images"
        return (
            f"{TEXT_ONLY_REPLY} {ECHO_LABEL} {call.model.id} does not read images: it received "
            f"the prompt {_quoted_prompt(call.prompt)} and ignored {count} {noun}."
        )
    located = locate_reply(call)
    if located is not None:
        return f"{ECHO_LABEL}\n{located}"
    if not count:
        listing = "with no images."
    else:
        noun = "image" if count == 1 else "images"
        listing = f"with {count} {noun}: " + "; ".join(map(_describe_image, call.images)) + "."
    return (
        f"{ECHO_LABEL} {call.model.id} received the prompt {_quoted_prompt(call.prompt)} {listing}"
    )


def word_chunks(text: str) -> list[str]:
    """The answer cut into words with their trailing space; each counts as one token."""
    return _WORD.findall(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """The answer as it will be sent: a reasoning model's thinking, then the answer, each in
    token-sized pieces, and why it stopped."""

    chunks: tuple[str, ...]
    finish_reason: str
    prompt_tokens: int
    reasoning: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The whole answer text."""
        return "".join(self.chunks)

    @property
    def pieces(self) -> tuple[tuple[str, str], ...]:
        """Every piece in the order sent, with its delta field: reasoning_content, then content."""
        return (
            *(("reasoning_content", piece) for piece in self.reasoning),
            *(("content", piece) for piece in self.chunks),
        )

    @property
    def usage(self) -> dict[str, Any]:
        """The usage object, counting one completion token per piece (and, for a reasoning
        model, its reasoning's share in completion_tokens_details)."""
        completion = len(self.chunks) + len(self.reasoning)
        usage: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }
        if self.reasoning:
            usage["completion_tokens_details"] = {"reasoning_tokens": len(self.reasoning)}
        return usage


def make_reply(call: ChatCall) -> Reply:
    """Compose the reasoning and the answer, and cut them at max_tokens (finish_reason
    "length") when together they are longer: the reasoning counts against the limit first."""
    thinking = word_chunks(compose_reasoning(call))
    chunks = word_chunks(compose_answer(call))
    finish = "stop"
    if call.max_tokens is not None and len(thinking) + len(chunks) > call.max_tokens:
        thinking = thinking[: call.max_tokens]
        chunks = chunks[: call.max_tokens - len(thinking)]
        finish = "length"
    return Reply(
        chunks=tuple(chunks),
        reasoning=tuple(thinking),
        finish_reason=finish,
        prompt_tokens=call.prompt_tokens,
    )


def _message(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.reasoning:
        message["reasoning_content"] = "".join(reply.reasoning)
    return message


def completion_body(completion_id: str, model: str, reply: Reply) -> dict[str, Any]:
    """The non-streamed chat.completion object, shaped like the provider's example."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": _message(reply),
                "logprobs": None,
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": reply.usage,
    }


def chunk_body(
    completion_id: str,
    model: str,
    *,
    delta: dict[str, str] | None = None,
    finish_reason: str | None = None,
    usage: dict[str, Any] | None = None,
    include_usage: bool = False,
) -> dict[str, Any]:
    """One chat.completion.chunk; a usage-only chunk (delta None, usage set) has no choices."""
    chunk: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [],
    }
    if delta is not None:
        chunk["choices"] = [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        ]
    if include_usage or usage is not None:
        chunk["usage"] = usage
    return chunk
