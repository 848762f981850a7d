"""The answer cache: a deterministic request already answered is served from the history.

A request is deterministic when its temperature is 0: the same model, prompt, system prompt,
parameters and prepared images (by the hash of the bytes sent, or the URL) then ask for the
same answer, so its key is a hash of exactly those. Only answers are served; errors, empty and
incomplete answers never are (docs/evaluation.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vision.values.request import ChatRequest
from vision.values.result import ChatResult

if TYPE_CHECKING:
    from vision.history.store import HistoryStore

# Bumped when what the key covers changes, so that old keys stop matching.
CACHE_KEY_VERSION = 1


def is_deterministic(request: ChatRequest) -> bool:
    """True when the request samples greedily (temperature 0), so its answer can be reused."""
    return request.temperature == 0


def cache_key(request: ChatRequest, image_hashes: Sequence[str]) -> str | None:
    """The request's cache key, or None when it is not deterministic."""
    if not is_deterministic(request) or request.history:
        return None
    canonical = {
        "v": CACHE_KEY_VERSION,
        "model": request.model,
        "prompt": request.prompt,
        "system": request.system,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "images": list(image_hashes),
    }
    if request.reasoning_effort is not None:
        # Only when set, so the keys of requests without an effort stay as they were.
        canonical["reasoning_effort"] = request.reasoning_effort
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class StoreCache:
    """The history as an AnswerCache: the newest complete answer saved under a key."""

    def __init__(self, store: HistoryStore) -> None:
        self._store = store

    def lookup(self, key: str, /) -> ChatResult | None:
        """The saved answer as a result (latency 0: nothing was asked), or None."""
        run = self._store.cached_run(key)
        if run is None:
            return None
        return ChatResult(
            text=run.answer,
            model=run.model,
            finish_reason=run.finish_reason,
            usage=run.usage,
            latency_s=0.0,
            ttft_s=None,
            reasoning=run.reasoning,
        )
