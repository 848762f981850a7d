"""How the echo refuses a request: a status and a JSON body, as the real service sends them.

Decisions (the provider documents none of these; see docs/provider-api.md):
- schema errors: 422 with FastAPI's {"detail": [{"type", "loc", "msg"}]};
- a missing or wrong key: 401 {"detail": "Unauthorized"} (the provider's troubleshooting table);
- an unknown model: 400 {"detail": "The requested model is not available ..."};
- image problems, too many images, a context overflow, stream_options without stream: 400 with
  {"detail": "<one sentence naming the image>"} (vLLM answers all of these with 400).
"""

from __future__ import annotations

from typing import Any


class Rejected(Exception):
    """The request is refused with this status and JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def reject(status: int, detail: str) -> Rejected:
    """A refusal with io.net's {"detail": "..."} body."""
    return Rejected(status, {"detail": detail})
