"""The OpenAI SDK's retry policy as an urllib3 Retry, so requests' adapter does the looping.

Policy (docs/retries.md; openai-python v1.109.1 `_should_retry` and `_calculate_retry_timeout`):
at most 2 retries; connection errors and timeouts are retried (POST included); statuses 408, 409,
429 and every 5xx are retried; `x-should-retry: true|false` overrides the status rule; a 429 whose
body says quota or billing is never retried (waiting does not refill credit). Before retry n
(n = 0, 1, ...) we wait the server's `retry-after-ms` / `Retry-After` when 0 < value <= cap, else
min(0.5 * 2**n, 8) * (1 - 0.25 * random()). A server delay above the cap stops the retries
(openai-python >= 2.52 does the same above 120 s) so the caller can say when to try again.

urllib3's `is_retry` sees only the status, so it answers "maybe" for every error status and
`increment`, which sees the response, makes the decision. Refusing there raises MaxRetryError,
which with raise_on_status=False makes urllib3 hand back that response for the client to map.
Reading a 429 body to look for quota words is done with cache_content=True, so the client can
still read it (`response.raw.data`).
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from urllib3.exceptions import HTTPError, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from vision.api.responses import is_quota_error, server_retry_delay

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

logger = logging.getLogger(__name__)

DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_AFTER_CAP_S = 60.0
INITIAL_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})
# A 429 body is a few hundred bytes of JSON; a bigger one is not read to look for quota words.
MAX_PEEKED_BODY_BYTES = 64 * 1024

# The monotonic time by which the current call must finish; set per call, per thread.
_deadline: ContextVar[float | None] = ContextVar("vision_retry_deadline", default=None)

sleep = time.sleep  # module attribute so tests can replace the wait without touching time.sleep


@contextlib.contextmanager
def deadline_scope(deadline: float | None) -> Iterator[None]:
    """Within this block, no retry starts if its wait would end after `deadline` (monotonic)."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def backoff_delay(retries_taken: int) -> float:
    """The SDK's exponential backoff with up to 25 % downward jitter; the first is ~0.5 s, not 0."""
    base = min(INITIAL_BACKOFF_S * 2**retries_taken, MAX_BACKOFF_S)
    return float(base * (1 - 0.25 * random.random()))  # noqa: S311 - jitter, not cryptography


def _header(response: BaseHTTPResponse, name: str) -> str | None:
    value = response.headers.get(name)
    return value if isinstance(value, str) else None


def peek_body(response: BaseHTTPResponse) -> str:
    """The body of a small error response, read so that `response.data` still returns it."""
    length = _header(response, "content-length")
    if length is not None and length.isdigit() and int(length) > MAX_PEEKED_BODY_BYTES:
        return ""
    try:
        data = response.read(decode_content=True, cache_content=True)
    except (HTTPError, OSError):  # a body we cannot read cannot say "quota"
        return ""
    return data.decode("utf-8", "replace")


# Told how long the server asked to wait, when a 429 says "slow down" (not "out of credit").
RateLimitListener = Callable[[float], None]


class OpenAIStyleRetry(Retry):
    """urllib3 Retry reproducing openai-python's retry rules, delays and caps.

    `on_rate_limited`, when given, hears of every rate-limit 429 of the client this retry serves
    (a quota or credit 429 is not a reason for anyone else to wait).
    """

    def __init__(
        self,
        total: bool | int | None = DEFAULT_MAX_RETRIES,
        *,
        retry_after_cap_s: float = DEFAULT_RETRY_AFTER_CAP_S,
        planned_delay: float = 0.0,
        on_rate_limited: RateLimitListener | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("allowed_methods", None)  # POST too: the SDK retries every method
        kwargs.setdefault("raise_on_status", False)  # hand back the last response to map it
        kwargs.setdefault("redirect", False)
        super().__init__(total=total, **kwargs)
        self.retry_after_cap_s = retry_after_cap_s
        self.planned_delay = planned_delay
        self.on_rate_limited = on_rate_limited

    def new(self, **kw: Any) -> Self:
        """A copy carrying our cap and listener, as urllib3 makes one per attempt."""
        kw.setdefault("retry_after_cap_s", self.retry_after_cap_s)
        kw.setdefault("planned_delay", 0.0)
        kw.setdefault("on_rate_limited", self.on_rate_limited)
        return super().new(**kw)

    @property
    def attempts(self) -> int:
        """How many requests were sent so far, counting the one this object governs."""
        return len(self.history) + 1

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """Every error status may be retried; increment() sees the response and decides."""
        return self.total is not False and status_code >= 400

    def refusal(self, response: BaseHTTPResponse, *, quota: bool | None = None) -> str | None:
        """Why this response must not be retried, or None when a retry is allowed (`quota`:
        whether a 429 was already found to be about quota; its body can be read only once)."""
        should = (_header(response, "x-should-retry") or "").strip().lower()
        if should == "false":
            return "the server said not to retry"
        status = response.status
        if should != "true":
            if status not in RETRYABLE_STATUSES and status < 500:
                return f"status {status} is not retried"
            if quota is None:
                quota = status == 429 and is_quota_error(status, peek_body(response))
            if quota:
                return "a quota or billing 429 is not retried"
        delay = server_retry_delay(response.headers)
        if delay is not None and delay > self.retry_after_cap_s:
            return (
                f"the server asked to wait {delay:.0f} s, over the {self.retry_after_cap_s} s cap"
            )
        return None

    def _delay_before_retry(self, response: BaseHTTPResponse | None, retries_taken: int) -> float:
        if response is not None:
            delay = server_retry_delay(response.headers)
            if delay is not None and 0 < delay <= self.retry_after_cap_s:
                return delay
        return backoff_delay(retries_taken)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        """The next attempt's Retry, or MaxRetryError when the policy or the deadline says stop."""
        quota: bool | None = None
        if response is not None and response.status == 429:
            quota = is_quota_error(429, peek_body(response))
            if not quota and self.on_rate_limited is not None:
                self.on_rate_limited(self._delay_before_retry(response, len(self.history)))
        if response is not None and error is None:
            reason = self.refusal(response, quota=quota)
            if reason is not None:
                raise MaxRetryError(_pool, url, ResponseError(reason))  # type: ignore[arg-type]
        following = super().increment(method, url, response, error, _pool, _stacktrace)
        delay = self._delay_before_retry(response, len(self.history))
        deadline = _deadline.get()
        if deadline is not None and time.monotonic() + delay >= deadline:
            reason_error = error or ResponseError("the overall deadline leaves no time to retry")
            raise MaxRetryError(_pool, url, reason_error)  # type: ignore[arg-type]
        following.planned_delay = delay
        cause = f"status {response.status}" if response is not None else type(error).__name__
        logger.info(
            "Retrying %s after %s: attempt %d in %.2f s", method, cause, following.attempts, delay
        )
        return following

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Wait the delay increment() planned (server-directed or backoff)."""
        if self.planned_delay > 0:
            sleep(self.planned_delay)
