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
    """The answer as it will be sent: its token-sized pieces and why it stopped."""

    chunks: tuple[str, ...]
    finish_reason: str
    prompt_tokens: int

    @property
    def text(self) -> str:
        """The whole answer text."""
        return "".join(self.chunks)

    @property
    def usage(self) -> dict[str, int]:
        """The usage object, counting one completion token per chunk."""
        completion = len(self.chunks)
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }


def make_reply(call: ChatCall) -> Reply:
    """Compose the answer and cut it at max_tokens (finish_reason "length") when it is longer."""
    chunks = word_chunks(compose_answer(call))
    finish = "stop"
    if call.max_tokens is not None and len(chunks) > call.max_tokens:
        chunks = chunks[: call.max_tokens]
        finish = "length"
    return Reply(chunks=tuple(chunks), finish_reason=finish, prompt_tokens=call.prompt_tokens)


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
                "message": {"role": "assistant", "content": reply.text},
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
    usage: dict[str, int] | None = None,
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
