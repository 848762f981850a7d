"""Fetch an image URL without letting it reach this machine or its private network (SSRF)."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urljoin

import requests
import urllib3
from requests.adapters import HTTPAdapter

from vision.errors import URLBlockedError, URLFetchError
from vision.limits import MAX_IMAGE_BYTES
from vision.sizes import human_size
from vision.urls.addresses import DEFAULT_PORTS, Target, check_url
from vision.urls.exchange import LIMITED_POOLS, ExchangeLimits, exchange_limits, over_deadline

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024
USER_AGENT = "vision-playground/0.1 (image fetch)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedImage:
    """The bytes behind an image URL, as the server sent them (not yet checked to be an image)."""

    url: str
    final_url: str
    data: bytes = field(repr=False)
    content_type: str | None
    redirects: int


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to the one address already checked, keeping the name for Host, SNI and the cert."""

    def __init__(self, target: Target) -> None:
        super().__init__(max_retries=0)
        self.target = target

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Pools whose responses keep the fetch's deadline and header cap (urls/exchange.py)."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = LIMITED_POOLS

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> Any:
        """Swap the host for the validated address; refuse a URL requests reads differently."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        target = self.target
        parsed_host = (host_params["host"] or "").lower()
        if parsed_host != target.host.lower() or host_params["scheme"] != target.scheme:
            raise URLBlockedError(
                "This URL can be read in more than one way; paste the plain image link instead."
            )
        address = target.address
        host_params["host"] = f"[{address}]" if ":" in address else address
        host_params["port"] = target.port
        if target.scheme == "https":
            # The certificate and SNI are checked against the name, not the pinned address.
            pool_kwargs["server_hostname"] = target.host  # type: ignore[typeddict-unknown-key]
            pool_kwargs["assert_hostname"] = target.host  # type: ignore[typeddict-unknown-key]
        return host_params, pool_kwargs


def _host_header(target: Target) -> str:
    """The Host header for a target: the name from the URL, with its port when not the default."""
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == DEFAULT_PORTS[target.scheme] else f"{host}:{target.port}"


def fetch_image(
    url: str,
    *,
    allow_loopback: bool = False,
    max_bytes: int = MAX_IMAGE_BYTES,
    deadline_s: float = 15.0,
    max_redirects: int = 3,
    timeout: tuple[float, float] = (5.0, 10.0),
) -> FetchedImage:
    """Download an image URL safely; raise URLBlockedError or URLFetchError with a sentence.
    `deadline_s` covers the whole exchange: connects, status lines, headers and body."""
    if not isinstance(url, str):
        raise URLBlockedError("This is not a web address; paste the image link as text.")
    deadline = time.monotonic() + deadline_s
    current = url.strip()
    redirects = 0
    while True:
        target = check_url(current, allow_loopback=allow_loopback, redirected=redirects > 0)
        adapter = PinnedAddressAdapter(target)
        try:
            with (
                exchange_limits(ExchangeLimits(deadline=deadline, host=target.host)),
                _send(adapter, target, timeout, deadline) as response,
            ):
                if response.status_code in REDIRECT_STATUSES:
                    if redirects >= max_redirects:
                        raise URLFetchError(
                            f"The image URL redirected more than {max_redirects} times; "
                            "use the address of the image itself."
                        )
                    current = _redirect_target(response, target)
                    redirects += 1
                    continue
                if response.status_code != 200:
                    raise URLFetchError(
                        f"The server answered {_status_text(response.status_code)} for this "
                        "image URL; check that the link opens in a browser."
                    )
                data = _read_capped(response, max_bytes, deadline)
                return FetchedImage(
                    url=url,
                    final_url=target.url,
                    data=data,
                    content_type=response.headers.get("Content-Type"),
                    redirects=redirects,
                )
        finally:
            adapter.close()


def _send(
    adapter: PinnedAddressAdapter,
    target: Target,
    timeout: tuple[float, float],
    deadline: float,
) -> requests.Response:
    """Send one GET without cookies, credentials, proxies or redirects, within the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise over_deadline()
    headers = {
        "Host": _host_header(target),
        "Accept": "image/*",
        "Accept-Encoding": "identity",
        "User-Agent": USER_AGENT,
    }
    try:
        prepared = requests.Request("GET", target.url, headers=headers).prepare()
    except requests.RequestException:
        raise URLBlockedError(
            "This is not a valid web address; check the image link and try again."
        ) from None
    # Session.send is not used: even with allow_redirects=False it reads a whole 3xx body with no
    # size cap (requests' resolve_redirects), and it is where environment proxies, .netrc and
    # cookies come in. The adapter alone sends exactly this request.
    try:
        return adapter.send(
            prepared,
            stream=True,
            timeout=(min(timeout[0], remaining), min(timeout[1], remaining)),
            verify=True,
            proxies={},
        )
    except requests.Timeout:
        raise URLFetchError(
            f"The server {target.host} did not answer in time; try again later or use another link."
        ) from None
    except requests.exceptions.SSLError:
        raise URLFetchError(
            f"The secure connection to {target.host} failed its certificate check; "
            "use another link."
        ) from None
    except (requests.RequestException, OSError):
        raise URLFetchError(
            f"Could not connect to {target.host}; check the link or try again later."
        ) from None


def _status_text(status: int) -> str:
    """'404 Not Found' from the standard phrase (the server's own reason text is not shown)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"status {status}"


def _redirect_target(response: requests.Response, target: Target) -> str:
    """The absolute URL a redirect points to (checked again by the caller before connecting)."""
    location = response.headers.get("Location", "").strip()
    if not location:
        raise URLFetchError(
            f"The server answered {response.status_code} without saying where the image moved; "
            "use the address of the image itself."
        )
    # http.client decodes headers as Latin-1; servers send UTF-8 (as requests also assumes).
    with contextlib.suppress(UnicodeError):
        location = location.encode("latin-1").decode("utf-8")
    return urljoin(target.url, location)


def _read_capped(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """Read the body up to max_bytes and the deadline, whatever the headers claim (each read
    waits at most until the deadline: urls/exchange.py)."""
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise URLFetchError(
            f"The server sent the image compressed ({encoding}) although we asked it not to; "
            "use another link."
        )
    length = response.headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise _too_large(max_bytes)
    raw: urllib3.HTTPResponse = response.raw
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() >= deadline:
            raise over_deadline()
        try:
            chunk = raw.read1(CHUNK_BYTES, decode_content=False)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if time.monotonic() >= deadline:
                raise over_deadline() from None
            if isinstance(exc, urllib3.exceptions.TimeoutError | TimeoutError):
                raise URLFetchError(
                    "The server stopped sending the image; try again later or use another link."
                ) from None
            raise URLFetchError(
                "The connection broke while downloading the image; try again or use another link."
            ) from None
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)


def _too_large(max_bytes: int) -> URLFetchError:
    """The error for a body over the byte cap."""
    return URLFetchError(
        f"The image at this URL is larger than the {human_size(max_bytes)} limit; "
        "use a smaller image."
    )
