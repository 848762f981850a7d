"""Every request the echo backend received, kept for tests, never with the credentials."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

# Headers that carry credentials are dropped before a request is recorded.
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "token", "cookie", "proxy-authorization"})


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """One request as the echo saw it: no key, only whether it was accepted."""

    method: str
    path: str
    body: dict[str, Any] | None = field(repr=False)
    authorized: bool
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict[str, Any]:
        """The record as a JSON object (for GET /_echo/requests)."""
        return {
            "method": self.method,
            "path": self.path,
            "body": self.body,
            "authorized": self.authorized,
            "headers": self.headers,
        }


def safe_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers with every credential-bearing one removed, names lower-cased."""
    return {
        name.lower(): value for name, value in headers.items() if name.lower() not in SECRET_HEADERS
    }


class RequestLog:
    """An append-only, thread-safe list of recorded requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def add(self, record: RecordedRequest) -> None:
        """Append one request."""
        with self._lock:
            self._items.append(record)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the requests so far, oldest first."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()
