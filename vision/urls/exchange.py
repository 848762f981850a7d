"""The URL fetch's connections: one deadline for every read of the exchange, the status line and
headers included, and a cap on the headers' size.

A socket read timeout restarts with every byte, so a server sending one header byte a second
would hold a fetch for as long as it likes; http.client's own limits (100 headers of 64 KiB
each) allow 6.5 MB of headers. Here each read waits at most until the deadline, and the headers
must end within the first MAX_HEADER_BYTES received.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import socket
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from vision.errors import URLFetchError

# Counted up to the end of the headers, with the part of the body read along with them.
MAX_HEADER_BYTES = 64 * 1024
# A timeout of 0 would make the socket non-blocking; the smallest wait we ask for instead.
_MIN_WAIT_S = 0.001


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeLimits:
    """The limits of one fetch: its monotonic deadline, and the host to name in errors."""

    deadline: float
    host: str
    max_header_bytes: int = MAX_HEADER_BYTES


_limits: ContextVar[ExchangeLimits | None] = ContextVar("vision_fetch_limits", default=None)


@contextlib.contextmanager
def exchange_limits(limits: ExchangeLimits) -> Iterator[None]:
    """Within this block, responses read on the limited connections obey these limits."""
    token = _limits.set(limits)
    try:
        yield
    finally:
        _limits.reset(token)


def over_deadline() -> URLFetchError:
    """The error for a download that ran past the overall deadline."""
    return URLFetchError(
        "The image took too long to download; try again later or use another link."
    )


def headers_too_large(host: str) -> URLFetchError:
    """The error for a response whose headers go over the caps."""
    return URLFetchError(
        f"The server {host} sent more headers than an image needs (over "
        f"{MAX_HEADER_BYTES // 1024} KiB, or over 100 of them); use another link."
    )


class _LimitedReader(io.RawIOBase):
    """The socket's reads, each cut to the time left, counted until the headers end."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, limits: ExchangeLimits) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._limits = limits
        self._read_timeout = sock.gettimeout()
        self._header_bytes: int | None = 0

    def readable(self) -> bool:
        """True: this is a socket's reading side."""
        return True

    def headers_done(self) -> None:
        """Stop counting: what follows is the body, which the fetch caps itself."""
        self._header_bytes = None

    def readinto(self, buffer: Any) -> int:
        """One socket read, waiting no longer than the time left before the deadline."""
        left = self._limits.deadline - time.monotonic()
        if left <= 0:
            raise over_deadline()
        wait = left if self._read_timeout is None else min(self._read_timeout, left)
        self._sock.settimeout(max(wait, _MIN_WAIT_S))
        try:
            count = self._raw.readinto(buffer) or 0
        except TimeoutError:
            if time.monotonic() >= self._limits.deadline:
                raise over_deadline() from None
            raise
        if self._header_bytes is not None:
            self._header_bytes += count
            if self._header_bytes > self._limits.max_header_bytes:
                raise headers_too_large(self._limits.host)
        return count

    def close(self) -> None:
        """Close the socket's file object (the connection closes the socket)."""
        self._raw.close()
        super().close()


class LimitedResponse(http.client.HTTPResponse):
    """http.client's response, reading through a _LimitedReader when a fetch set its limits."""

    def __init__(
        self, sock: socket.socket, debuglevel: int = 0, method: str | None = None, url: Any = None
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        limits = _limits.get()
        self._reader: _LimitedReader | None = None
        self._host = limits.host if limits is not None else ""
        if limits is not None:
            self._reader = _LimitedReader(self.fp.detach(), sock, limits)
            self.fp = io.BufferedReader(self._reader)

    def begin(self) -> None:
        """Read the status line and headers within the limits."""
        try:
            super().begin()
        except http.client.HTTPException as error:
            # http.client's own caps (100 headers, 64 KiB a line) raise these two exactly;
            # its other errors (a bad status line, a hang-up) are not about size.
            if self._reader is not None and (
                isinstance(error, http.client.LineTooLong)
                or type(error) is http.client.HTTPException
            ):
                raise headers_too_large(self._host) from None
            raise
        if self._reader is not None:
            self._reader.headers_done()


class _LimitedHTTPConnection(HTTPConnection):
    response_class = LimitedResponse


class _LimitedHTTPSConnection(HTTPSConnection):
    response_class = LimitedResponse


class _LimitedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _LimitedHTTPConnection


class _LimitedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _LimitedHTTPSConnection


# For a PoolManager's pool_classes_by_scheme: connections whose responses obey the limits.
LIMITED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": _LimitedHTTPPool,
    "https": _LimitedHTTPSPool,
}
