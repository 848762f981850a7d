"""The HTTP plumbing under VisionClient: session, deadline-aware timeouts, error mapping."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError as URLLib3HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.timeout import Timeout

from vision.api.retry import OpenAIStyleRetry, RateLimitListener
from vision.errors import APIConnectionError, APITimeoutError, RequestError

logger = logging.getLogger("vision.api.client")

# Ten models compared at once plus a listing; beyond this urllib3 discards connections.
POOL_SIZE = 16
# A timeout of 0 would make the socket non-blocking; the smallest wait we ask for instead.
MIN_SOCKET_TIMEOUT_S = 0.001
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class DeadlineTimeout(Timeout):
    """urllib3 Timeout whose connect and read waits never run past an overall deadline.

    urllib3 clones the timeout for every attempt, so the clamp holds across retries too.
    """

    def __init__(self, connect: float, read: float, deadline: float) -> None:
        super().__init__(connect=connect, read=read)
        self.base_connect = connect
        self.base_read = read
        self.deadline = deadline

    def clone(self) -> DeadlineTimeout:
        """A fresh copy for the next attempt, with the same deadline."""
        return DeadlineTimeout(self.base_connect, self.base_read, self.deadline)

    def _clamp(self, value: float) -> float:
        return max(MIN_SOCKET_TIMEOUT_S, min(value, self.deadline - time.monotonic()))

    @property
    def connect_timeout(self) -> float:
        """The connect wait, cut to what is left before the deadline."""
        return self._clamp(self.base_connect)

    @property
    def read_timeout(self) -> float:
        """The read wait, cut to what is left before the deadline."""
        return self._clamp(self.base_read)


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; RequestError unless it is an http(s) URL."""
    cleaned = base_url.strip().rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RequestError(
            f"The base URL {cleaned[:100]!r} is not an http(s) address: use something like "
            "https://api.intelligence.io.solutions/api/v1."
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise RequestError(
            "The base URL must not carry credentials, a query or a fragment: put the key in "
            "IOINTELLIGENCE_API_KEY and give only scheme, host and path."
        )
    return cleaned


def host_of(base_url: str) -> str:
    """host[:port] of a URL, for messages (never user info)."""
    parts = urlsplit(base_url)
    host = parts.hostname or "the server"
    return f"{host}:{parts.port}" if parts.port else host


def build_session(
    base_url: str,
    *,
    session: requests.Session | None,
    max_retries: int,
    retry_after_cap_s: float,
    on_rate_limited: RateLimitListener | None = None,
) -> requests.Session:
    """A session whose adapter for the API host applies the OpenAI-style retry policy (and
    tells `on_rate_limited` of each rate-limit 429).

    Our own session honours HTTP(S)_PROXY / NO_PROXY and REQUESTS_CA_BUNDLE (corporate users
    need them) but not the rest of trust_env: a ~/.netrc entry would replace our Bearer header.
    Loopback URLs never go through a proxy. A session passed in keeps its own settings.
    """
    if session is None:
        session = requests.Session()
        session.trust_env = False
        parts = urlsplit(base_url)
        if parts.hostname not in LOOPBACK_HOSTS:
            session.proxies.update(requests.utils.get_environ_proxies(base_url))
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if bundle:
                session.verify = bundle
    retry = OpenAIStyleRetry(
        max_retries, retry_after_cap_s=retry_after_cap_s, on_rate_limited=on_rate_limited
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=POOL_SIZE)
    parts = urlsplit(base_url)
    session.mount(f"{parts.scheme}://{parts.netloc}/", adapter)
    return session


def _timeout_kind(exc: BaseException) -> str | None:
    """'connect' or 'read' when the exception (or the reason inside it) is a timeout."""
    inner: Any = exc.args[0] if exc.args else None
    if isinstance(inner, MaxRetryError):
        inner = inner.reason
    for candidate in (exc, inner):
        if isinstance(candidate, NewConnectionError):
            return None  # refused or unresolvable: urllib3 files it under connect timeouts
        if isinstance(candidate, ConnectTimeoutError | requests.exceptions.ConnectTimeout):
            return "connect"
        if isinstance(
            candidate, ReadTimeoutError | requests.exceptions.ReadTimeout | socket.timeout
        ):
            return "read"
    return None


@contextlib.contextmanager
def map_request_errors(
    base_url: str, *, connect_s: float, read_s: float, deadline: float, deadline_s: float
) -> Iterator[None]:
    """Turn requests/urllib3 failures into APIConnectionError or APITimeoutError sentences.

    The originals carry the request (and its Authorization header), so they are logged through
    the redaction filter and never chained: the raised error has no __cause__ to print.
    """
    host = host_of(base_url)
    try:
        yield
    except (requests.RequestException, URLLib3HTTPError, OSError) as exc:
        logger.info("Request to %s failed: %s", host, type(exc).__name__)
        error = _mapped(exc, host, connect_s=connect_s, read_s=read_s)
        if isinstance(error, APITimeoutError) and time.monotonic() >= deadline - 0.05:
            error = APITimeoutError(
                f"The call did not finish within the overall {deadline_s:g} s limit: try again "
                "later, or allow more time."
            )
    else:
        return
    raise error from None


def _mapped(exc: BaseException, host: str, *, connect_s: float, read_s: float) -> Exception:
    kind = _timeout_kind(exc)
    if kind == "connect":
        return APITimeoutError(
            f"Could not connect to {host} within {connect_s:g} s: check the base URL and your "
            "network."
        )
    if kind == "read":
        return APITimeoutError(
            f"{host} did not answer within {read_s:g} s: try again, or pick a faster model."
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return APIConnectionError(
            f"The secure connection to {host} failed (certificate or TLS): check the base URL, "
            "and this machine's clock and CA bundle."
        )
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return RequestError(f"The address of {host} is not a valid URL: check the base URL.")
    if isinstance(exc, ProtocolError | requests.exceptions.ChunkedEncodingError):
        return APIConnectionError(
            f"The connection to {host} broke during the answer: send the request again."
        )
    return APIConnectionError(f"Could not reach {host}: check the base URL and your network.")


def set_read_wait(response: requests.Response, seconds: float) -> None:
    """Cut the socket's read timeout for the rest of a streamed body (best effort)."""
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.settimeout(max(MIN_SOCKET_TIMEOUT_S, seconds))
