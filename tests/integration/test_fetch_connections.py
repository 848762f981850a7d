"""fetch_image's connections: no proxies or credentials, loopback rules, DNS rebinding, TLS."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests.adapters

from tests.support.hostile_server import PNG, REAL_GETADDRINFO, ImageServer, fetch, serve
from vision import URLBlockedError, URLFetchError, fetch_image

pytestmark = pytest.mark.usefixtures("loopback_only")


def test_environment_proxies_and_netrc_are_ignored(image_server, monkeypatch, tmp_path):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://203.0.113.9:3128")  # would fail loopback_only if used
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert fetch(image_server.url("/cat.png")).data == PNG
    assert "Authorization" not in image_server.seen[-1].headers


def test_no_credentials_or_cookies_reach_the_image_host(image_server):
    fetched = fetch(image_server.url("/cookie-hop"))
    assert fetched.data == PNG
    for request in image_server.seen:
        names = {name.lower() for name in request.headers}
        assert not names & {"authorization", "cookie", "proxy-authorization"}
    assert image_server.seen[-1].headers["Host"] == f"127.0.0.1:{image_server.port}"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_unless_allowed(image_server, loopback_only, host):
    with pytest.raises(URLBlockedError, match="This URL points to this machine"):
        fetch_image(image_server.url("/cat.png", host=host))
    assert loopback_only == []
    assert image_server.seen == []


def test_the_validated_address_is_the_one_connected_to(image_server, loopback_only, monkeypatch):
    """DNS rebinding: the name answers 127.0.0.1 when checked and 10.0.0.5 afterwards."""
    lookups: list[str] = []

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host != "images.test":
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.0.0.5"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    fetched = fetch(image_server.url("/cat.png", host="images.test"))
    assert fetched.data == PNG
    assert lookups == ["images.test"]
    assert loopback_only == ["127.0.0.1"]
    assert image_server.seen[-1].headers["Host"] == f"images.test:{image_server.port}"


def test_ipv6_loopback_works_in_loopback_mode():
    try:
        servers = serve("::1", socket.AF_INET6)
        server = next(servers)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        fetched = fetch(f"http://[::1]:{server.port}/cat.png")
        assert fetched.data == PNG
        assert server.seen[-1].headers["Host"] == f"[::1]:{server.port}"
    finally:
        servers.close()


def test_a_closed_port_is_a_fetch_error(image_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    with pytest.raises(URLFetchError, match=r"Could not connect to 127\.0\.0\.1"):
        fetch(f"http://127.0.0.1:{free_port}/cat.png")


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> Path:
    """A throwaway CA and a certificate for the name images.test, made with the openssl CLI."""
    folder = tmp_path_factory.mktemp("tls")
    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    try:
        openssl("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
                "-subj", "/CN=Vision test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign", cwd=folder)  # fmt: skip
        openssl("req", *curve, "-keyout", "leaf.key", "-out", "leaf.csr",
                "-subj", "/CN=images.test", cwd=folder)  # fmt: skip
        (folder / "leaf.ext").write_text("subjectAltName=DNS:images.test\n")
        openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "leaf.pem", "-days", "1", "-extfile", "leaf.ext",
                cwd=folder)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the openssl command is not available")
    return folder


@pytest.fixture
def tls_server(tls_files, monkeypatch) -> Iterator[tuple[ImageServer, list[str | None]]]:
    """An HTTPS server on 127.0.0.1 with a certificate for images.test, trusted by requests."""
    names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_files / "leaf.pem", tls_files / "leaf.key")
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(tls_files / "ca.pem"))

    def loopback_names(host, port, *args, **kwargs):
        if host in ("images.test", "other.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_names)
    servers = serve("127.0.0.1", socket.AF_INET, context)
    yield next(servers), names
    servers.close()


def test_https_checks_sni_and_certificate_against_the_name_not_the_pinned_ip(
    tls_server, loopback_only
):
    server, sni_names = tls_server
    fetched = fetch(f"https://images.test:{server.port}/cat.png")
    assert fetched.data == PNG
    assert sni_names == ["images.test"]
    assert loopback_only == ["127.0.0.1"]
    assert server.seen[-1].headers["Host"] == f"images.test:{server.port}"


def test_https_with_a_certificate_for_another_name_is_refused(tls_server):
    server, sni_names = tls_server
    with pytest.raises(URLFetchError, match="failed its certificate check"):
        fetch(f"https://other.test:{server.port}/cat.png")
    assert sni_names == ["other.test"]
    assert server.seen == []
