"""What the echo backend remembers of the requests it received: never the credentials, and the
bodies only when a test asks for them (a prompt and its images stay with the person who sent them).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

# Headers that carry credentials are dropped before a request is recorded.
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "token", "cookie", "proxy-authorization"})
# Without bodies, the echo keeps the metadata of this many recent requests and forgets older ones.
METADATA_RING_SIZE = 256
# A model name is kept to this many characters, so the ring stays small whatever is sent.
MAX_RECORDED_MODEL_CHARS = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """One request as the echo saw it: no key, only whether it was accepted; the body and
    headers only on an echo that records bodies."""

    method: str
    path: str
    authorized: bool
    model: str | None = None
    received_at: float = 0.0  # seconds since the epoch
    size_bytes: int = 0
    status: int | None = None
    body: dict[str, Any] | None = field(default=None, repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict[str, Any]:
        """The record as a JSON object (for GET /_echo/requests)."""
        return {
            "method": self.method,
            "path": self.path,
            "authorized": self.authorized,
            "model": self.model,
            "received_at": self.received_at,
            "size_bytes": self.size_bytes,
            "status": self.status,
            "body": self.body,
            "headers": self.headers,
        }


def safe_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers with every credential-bearing one removed, names lower-cased."""
    return {
        name.lower(): value for name, value in headers.items() if name.lower() not in SECRET_HEADERS
    }


class RequestLog:
    """A thread-safe record of requests, oldest first: every one, or the latest `limit`."""

    def __init__(self, limit: int | None = None) -> None:
        self._lock = threading.Lock()
        self._items: deque[RecordedRequest] = deque(maxlen=limit)

    @property
    def limit(self) -> int | None:
        """How many requests are kept at most (None: all)."""
        return self._items.maxlen

    def add(self, record: RecordedRequest) -> None:
        """Append one request (the oldest goes when the log is full)."""
        with self._lock:
            self._items.append(record)

    def settle(self, record: RecordedRequest, status: int) -> None:
        """Note the status the echo answered a recorded request with."""
        with self._lock:
            for index in range(len(self._items) - 1, -1, -1):
                if self._items[index] is record:
                    self._items[index] = replace(record, status=status)
                    return

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the requests kept, oldest first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()
