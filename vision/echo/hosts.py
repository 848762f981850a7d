"""Which Host headers the echo answers: its loopback names and its own address, so a web page
whose name was pointed at this machine (DNS rebinding) cannot talk to it through a browser."""

from __future__ import annotations

from collections.abc import Iterable

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# A server bound to every interface has no name of its own to check against.
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - names to refuse, not binds


def host_name(header: str | None) -> str:
    """The name in a Host header, without its port or brackets, lower-cased ("" when absent)."""
    value = (header or "").strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def allowed_names(bound_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names an echo bound to `bound_host` answers: loopback, its address, `extra`."""
    own = {host_name(bound_host if ":" not in bound_host else f"[{bound_host}]")}
    names = LOOPBACK_NAMES | {host_name(name) for name in extra} | own
    return frozenset(names - WILDCARD_ADDRESSES)
