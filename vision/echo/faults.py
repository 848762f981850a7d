"""Faults the echo backend can inject, and the thread-safe book that hands them out."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, get_args

FaultKind = Literal["status", "hang", "truncate", "malformed", "stream_error", "slow"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

# Which endpoint a fault applies to: chat completions by default, so that a client listing
# models before it asks does not use up a fault meant for the chat call.
Endpoint = Literal["chat", "models", "any"]


# Bodies a test can pass as Fault(body=...); a 429 without a body gets RATE_LIMIT_BODY.
RATE_LIMIT_BODY: dict[str, Any] = {
    "error": {
        "message": "Rate limit reached for requests; please retry shortly.",
        "type": "rate_limit_error",
        "code": "rate_limit_exceeded",
    }
}
# A 429 that means the account is out of credit: clients must not retry it.
QUOTA_BODY: dict[str, Any] = {
    "error": {
        "message": "You exceeded your current quota; check your plan and billing details.",
        "type": "insufficient_quota",
        "code": "insufficient_quota",
    }
}
STREAM_ERROR_BODY: dict[str, Any] = {
    "error": {
        "message": "The echo backend was asked to fail in the middle of the answer.",
        "type": "InternalServerError",
        "param": None,
        "code": 500,
    }
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """One injected misbehaviour, applied to the next `times` matching requests (None: all).

    status: answer `status` with `body` (JSON object or raw text) and `headers`;
    hang: wait `seconds` before sending any byte, then answer normally;
    truncate: stop after `after_chunks` content chunks with no finish and no [DONE]
        (`abrupt`: drop the connection mid-body instead of ending it cleanly);
    malformed: 200 with an unreadable JSON body, or a bad SSE data line after `after_chunks`;
    stream_error: a `data: {"error": ...}` event after `after_chunks` content chunks
        (a non-streamed request gets a 200 whose body is only that error object);
    slow: `ttft_s` before the first token and `token_delay_s` between tokens.
    """

    kind: FaultKind
    status: int = 500
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    after_chunks: int = 0
    abrupt: bool = False
    ttft_s: float = 0.0
    token_delay_s: float = 0.0
    model: str | None = None
    endpoint: Endpoint = "chat"
    times: int | None = 1

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault kind {self.kind!r}; use one of {FAULT_KINDS}.")
        if self.endpoint not in get_args(Endpoint):
            raise ValueError(f"Unknown endpoint {self.endpoint!r}; use chat, models or any.")
        if self.times is not None and (not _is_int(self.times) or self.times < 1):
            raise ValueError("A fault's times must be at least 1, or None for every request.")
        if not _is_int(self.status) or not 100 <= self.status <= 599:
            raise ValueError("A fault's status must be an HTTP status between 100 and 599.")
        if not _is_int(self.after_chunks) or self.after_chunks < 0:
            raise ValueError("A fault's after_chunks must be a whole number, 0 or more.")
        for name in ("seconds", "ttft_s", "token_delay_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"A fault's {name} must be a number of seconds, 0 or more.")
        if not isinstance(self.headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items()
        ):
            raise ValueError("A fault's headers must map header names to string values.")
        if self.body is not None and not isinstance(self.body, dict | str):
            raise ValueError("A fault's body must be a JSON object, a string or null.")

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """Build a fault from the JSON object posted to /_echo/faults; raises ValueError."""
        if not isinstance(data, dict):
            raise ValueError("A fault is a JSON object with at least a 'kind'.")  # noqa: TRY004
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown fault fields: {', '.join(unknown)}.")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from exc

    def default_body(self) -> dict[str, Any] | str:
        """The body a status fault sends: the given one, or a sentence fitting the status."""
        if self.body is not None:
            return self.body
        if self.status == 429:
            return RATE_LIMIT_BODY
        return {"detail": f"The echo backend was asked to answer with status {self.status}."}

    def matches(self, endpoint: str, model: str | None) -> bool:
        """True when this fault applies to a request to `endpoint` for `model`."""
        if self.endpoint != "any" and self.endpoint != endpoint:
            return False
        return self.model is None or self.model == model


class FaultBook:
    """The faults waiting to be used, in the order they were added; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault after those already waiting."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Drop every waiting fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        """The faults still waiting, oldest first."""
        with self._lock:
            return list(self._faults)

    def take(self, endpoint: str, model: str | None) -> Fault | None:
        """Use up one application of the first matching fault, or None when none match."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if not fault.matches(endpoint, model):
                    continue
                if fault.times is None:
                    return fault
                if fault.times == 1:
                    del self._faults[index]
                else:
                    self._faults[index] = replace(fault, times=fault.times - 1)
                return fault
        return None
