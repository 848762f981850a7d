"""`make run` listens on loopback only: the real app, started with the repository's own
.streamlit/config.toml (no --server.address), binds 127.0.0.1 and refuses a connection on this
machine's network addresses. (The page's notice for an app that does listen on the network is in
tests/app/test_network_notice.py; deploy/Dockerfile's explicit 0.0.0.0 in test_deploy_files.py.)
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.apps import free_port, streamlit_server

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="reads the listening sockets from /proc/net, which only Linux has",
)
_LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp
_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def _address_from_proc(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    # IPv6: four 32-bit words, each in the host's (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words))


def listening_addresses(port: int) -> set[str]:
    """The addresses a socket listening on this TCP port is bound to (IPv4 and IPv6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                address, hex_port = fields[1].rsplit(":", 1)
                if int(hex_port, 16) == port and fields[3] == _LISTEN:
                    found.add(_address_from_proc(address))
    return found


def network_addresses() -> Iterator[str]:
    """This machine's own IPv4 addresses other than loopback (e.g. eth0's)."""
    import fcntl

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
            except OSError:
                continue  # an interface without an IPv4 address
            address = ipaddress.IPv4Address(answer[20:24])
            if not address.is_loopback:
                yield str(address)


def test_the_app_with_the_repositorys_settings_listens_on_loopback_only(tmp_path: Path):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("VISION_", "IOINTELLIGENCE_", "STREAMLIT_"))
    }
    env["VISION_HISTORY_PATH"] = str(tmp_path / "history.sqlite3")
    port = free_port()
    with streamlit_server(
        script="streamlit_app.py",
        port=port,
        env=env,
        log=tmp_path / "streamlit.log",
        options=["--secrets.files", os.devnull],
        address=None,  # as `make run` starts it: .streamlit/config.toml decides
    ):
        assert listening_addresses(port) == {"127.0.0.1"}
        reached = []
        for address in network_addresses():
            try:
                socket.create_connection((address, port), timeout=2).close()
                reached.append(address)
            except OSError:
                pass  # refused: nothing listens there
        assert reached == [], f"the app answered on {reached}"
    assert "Network URL" not in (tmp_path / "streamlit.log").read_text()
