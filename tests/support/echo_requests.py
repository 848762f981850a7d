"""Requests to the echo backend as the tests send them: the seed body, auth, SSE reading."""

from __future__ import annotations

import base64
from typing import Any

import requests

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import QWEN
from vision.echo import EchoServer

SYSTEM = "You are an AI assistant."
PROMPT = "What is in this image?"
AUTH = {"Authorization": f"Bearer {ECHO_API_KEY}"}


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def seed_body(model: str = QWEN, *urls: str, prompt: str = PROMPT, **extra: Any) -> dict[str, Any]:
    """The request body exactly as the provider's docs show it."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
    parts.extend({"type": "image_url", "image_url": {"url": url}} for url in urls)
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": parts},
        ],
        **extra,
    }


def post(echo: EchoServer, body: Any, *, headers: dict[str, str] | None = None, **kw: Any):
    return requests.post(
        f"{echo.base_url}/chat/completions",
        json=body,
        headers=AUTH if headers is None else headers,
        timeout=kw.pop("timeout", 30),
        **kw,
    )


def sse_events(response: requests.Response) -> list[str]:
    """The data payloads of an SSE response, in order, checking the framing on the way."""
    raw = response.content.decode()
    blocks = raw.split("\n\n")
    assert blocks[-1] == "", "every event ends with a blank line"
    payloads = []
    for block in blocks[:-1]:
        assert block.startswith("data: "), block
        assert "\n" not in block
        payloads.append(block[len("data: ") :])
    return payloads


def stream_body(*urls: str, model: str = QWEN, **extra: Any) -> dict[str, Any]:
    return seed_body(model, *urls, stream=True, stream_options={"include_usage": True}, **extra)


PNG = make_image("PNG", (640, 480))


def png_url() -> str:
    return data_url(PNG, "image/png")
