"""Who can reach the app: whether the address it listens on keeps it to this machine."""

from __future__ import annotations

import ipaddress

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def beyond_loopback(address: str | None) -> bool:
    """True when an app listening on this address (Streamlit's server.address) can be reached
    from the network: unset or empty (every interface), 0.0.0.0, ::, or any address or host
    name that is not loopback."""
    text = (address or "").strip().strip("[]").lower()
    if text in _LOOPBACK_NAMES:
        return False
    try:
        return not ipaddress.ip_address(text).is_loopback
    except ValueError:
        return True  # empty, or a host name that may resolve to any interface


def listening_on(address: str | None) -> str:
    """Where an app on this address listens, for a sentence: the address, or "every address of
    this computer" when it is unset or unspecified (0.0.0.0, ::)."""
    text = (address or "").strip().strip("[]")
    try:
        everywhere = not text or ipaddress.ip_address(text).is_unspecified
    except ValueError:
        everywhere = False
    return "every address of this computer" if everywhere else text
