"""Which image URLs may be fetched: their shape, scheme, port and every address they resolve to."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url
from urllib3.util.connection import allowed_gai_family

from vision.errors import URLBlockedError, URLFetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Only the standard web ports for public hosts (docs/url-safety.md). Loopback development
# servers (allow_loopback=True) run on arbitrary ports, so any port is allowed for loopback
# addresses only.
PUBLIC_PORTS = frozenset({80, 443})

LOOPBACK = "this machine"
PRIVATE = "a private network address"
LINK_LOCAL = "a link-local or cloud-metadata address"
SHARED_NAT = "a carrier-grade NAT address"
UNSPECIFIED = "an unspecified address"
MULTICAST = "a multicast address"
RESERVED = "a reserved, special-purpose address"


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(reason: str, *cidrs: str) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), reason) for cidr in cidrs)


# Our own table instead of ipaddress.is_global alone: CPython before 3.12.4 had wrong
# special-purpose ranges (gh-113171, CVE-2024-4032) and this venv runs 3.11. Sources: the IANA
# IPv4/IPv6 special-purpose registries, plus requests-hardened's extra deny-list
# (docs/url-safety.md).
BLOCKED_NETWORKS = (
    *_networks(UNSPECIFIED, "0.0.0.0/8", "::/128"),
    *_networks(LOOPBACK, "127.0.0.0/8", "::1/128"),
    *_networks(PRIVATE, "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
    *_networks(PRIVATE, "fc00::/7", "fec0::/10", "64:ff9b:1::/48"),
    *_networks(LINK_LOCAL, "169.254.0.0/16", "fe80::/10"),
    *_networks(SHARED_NAT, "100.64.0.0/10"),
    *_networks(MULTICAST, "224.0.0.0/4", "ff00::/8"),
    *_networks(
        RESERVED,
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking, often used inside networks
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "240.0.0.0/4",  # reserved, includes broadcast
        "::/96",  # deprecated IPv4-compatible form: ::a9fe:a9fe
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, includes Teredo and ORCHIDv2
        "2002::/16",  # 6to4, deprecated (RFC 7526): relayed through third parties
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
    ),
)

NAT64 = ipaddress.ip_network("64:ff9b::/96")
TEREDO = ipaddress.ip_network("2001::/32")


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A URL that passed every check, with the one address the connection must go to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a mapped, NAT64, 6to4 or Teredo IPv6 address leads to, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def block_reason(ip: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why this address must not be contacted (a noun phrase), or None if it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            inner_reason = block_reason(inner, allow_loopback=allow_loopback)
            # A mapped or NAT64 address reaches exactly its IPv4 address (NAT64 is how
            # IPv6-only networks with DNS64 reach IPv4 sites); 6to4 and Teredo stay blocked.
            if inner_reason is not None or ip.ipv4_mapped is not None or ip in NAT64:
                return inner_reason
    for network, reason in BLOCKED_NETWORKS:
        if ip in network:
            if reason == LOOPBACK and allow_loopback:
                return None
            return reason
    # Backstop for anything the table misses (new registry entries in a newer CPython).
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return RESERVED
    return None


def describe_address(ip: IPAddress) -> str:
    """The address as shown to users: an embedded IPv4 address is spelled out."""
    inner = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    return f"{ip}, which leads to {inner}" if inner is not None else str(ip)


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name resolves to, from one getaddrinfo call."""
    try:
        infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise URLFetchError(
            f"The server {host} could not be found; check the address and your connection."
        ) from exc
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        # ::ffff:a.b.c.d is the IPv4 host a.b.c.d: check and pin the plain IPv4 form.
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise URLFetchError(
            f"The server {host} could not be found; check the address and your connection."
        )
    return addresses


def check_url(url: str, *, allow_loopback: bool = False, redirected: bool = False) -> Target:
    """Parse, resolve once and check a URL; raise URLBlockedError before any connection."""
    where = "The image URL redirected to" if redirected else "This URL points to"
    url = url.strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F or char == "\\" for char in url):
        raise URLBlockedError(
            "This URL contains control characters or backslashes; "
            "paste the image link exactly as the browser shows it."
        )
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise URLBlockedError(
            "This is not a valid web address; check the image link and try again."
        ) from None
    scheme = (parsed.scheme or "").lower()
    if not scheme:
        raise URLBlockedError(
            "This URL does not start with http:// or https://; paste the full image link."
        )
    if scheme not in ALLOWED_SCHEMES:
        raise URLBlockedError(
            f"Only http:// and https:// image links can be fetched, not {scheme}: ones."
        )
    if parsed.auth is not None:
        raise URLBlockedError(
            "This URL contains a user name or password before the @; "
            "only public images that need no login can be fetched."
        )
    host = (parsed.host or "").strip("[]")
    if not host:
        raise URLBlockedError("This URL has no server name; check the image link and try again.")
    port = parsed.port if parsed.port is not None else DEFAULT_PORTS[scheme]
    addresses = resolve(host, port)
    for address in addresses:
        reason = block_reason(address, allow_loopback=allow_loopback)
        if reason is not None:
            shown = describe_address(address)
            raise URLBlockedError(f"{where} {reason} ({shown}); only public images can be fetched.")
    if port not in PUBLIC_PORTS and not all(address.is_loopback for address in addresses):
        raise URLBlockedError(
            f"{where} port {port}; only images on the standard web ports 80 and 443 can be fetched."
        )
    return Target(url=url, scheme=scheme, host=host, port=port, address=str(addresses[0]))
