"""URL images: send the link itself or the prepared bytes inline, and say which and why."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from vision.errors import URLBlockedError
from vision.urls.addresses import embedded_ipv4
from vision.values.image import PreparedImage
from vision.values.request import ImageRef

# check: fetch safely and prepare; send the link where the original meets every limit.
# inline: fetch, prepare and always send the prepared bytes. as_is: send the link unchecked.
URLMode = Literal["check", "inline", "as_is"]
URL_MODES: tuple[URLMode, ...] = ("check", "inline", "as_is")
DEFAULT_URL_MODE: URLMode = "check"

SENT_AS_URL = "Sent as the URL; the provider fetches it."
UNCHECKED = (
    "Sent as the URL without checking: the provider fetches it, so its size, format and "
    "token cost could not be checked here."
)
UNREACHABLE = (
    "This URL points to this machine, which the provider cannot reach: its fetch will fail."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class URLChoice:
    """What a URL image becomes in a request to one model, and the sentence saying so."""

    ref: ImageRef = field(repr=False)
    as_url: bool
    note: str


def points_to_this_machine(url: str) -> bool:
    """True when the URL's host is a loopback address or a localhost name."""
    host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return inner.is_loopback
    return address.is_loopback


def unchecked_ref(url: str, label: str) -> ImageRef:
    """The link as a content part, untouched; raises URLBlockedError unless it is http(s)."""
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme not in ("http", "https"):
        raise URLBlockedError(
            "Only http:// and https:// image links can be sent; paste the full image link."
        )
    return ImageRef(url=url.strip(), label=label)


def _inline_reason(prepared: PreparedImage, target: str) -> str:
    if (prepared.width, prepared.height) != (prepared.original_width, prepared.original_height):
        return f"downscaled to {prepared.width}×{prepared.height} for {target}"
    if prepared.reencoded:
        kind = prepared.mime.split("/")[-1].upper()
        return f"converted to {kind} for {target}"
    return "its metadata (EXIF, XMP, comments) removed, which the link would still carry"


def choose_url_ref(
    url: str, prepared: PreparedImage, *, target: str, mode: URLMode = DEFAULT_URL_MODE
) -> URLChoice:
    """The link when the checked original already suits the model ("check" mode), else inline."""
    if mode == "check" and prepared.passed_through:
        if points_to_this_machine(url):
            return URLChoice(
                ref=prepared.as_ref(),
                as_url=False,
                note="Sent inline: the URL points to this machine, which the provider "
                "cannot reach.",
            )
        label = prepared.filename or prepared.sha256[:12]
        return URLChoice(ref=ImageRef(url=url.strip(), label=label), as_url=True, note=SENT_AS_URL)
    if mode == "as_is":
        label = prepared.filename or prepared.sha256[:12]
        return URLChoice(ref=unchecked_ref(url, label), as_url=True, note=UNCHECKED)
    if prepared.passed_through:
        return URLChoice(
            ref=prepared.as_ref(), as_url=False, note="Sent inline: fetched and checked here."
        )
    return URLChoice(
        ref=prepared.as_ref(),
        as_url=False,
        note=f"Sent inline: {_inline_reason(prepared, target)}.",
    )
