"""fetch_image against a real HTTP server on 127.0.0.1: images, redirects, caps, deadlines."""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests.adapters

from tests.images import make_image
from vision import FetchedImage, URLBlockedError, URLFetchError, fetch_image
from vision.sniff import sniff_image

PNG = make_image("PNG", (32, 24))
REAL_CONNECT = socket.socket.connect
REAL_GETADDRINFO = socket.getaddrinfo


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class ImageServer:
    """A stdlib HTTP server in a thread whose paths misbehave in the ways a hostile host would."""

    server: http.server.ThreadingHTTPServer
    seen: list[Seen] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        return [request.path for request in self.seen]


def make_handler(record: list[Seen]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            record.append(Seen(self.path, dict(self.headers.items())))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.route()

        def send(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            headers.setdefault("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, location: str, **headers: str) -> None:
            self.send(302, b"", Location=location, **headers)

        def endless(self) -> None:
            while True:
                self.wfile.write(b"\x89PNG" * 4096)

        def route(self) -> None:
            path = self.path
            if path == "/cat.png":
                self.send(200, PNG, Content_Type="image/png")
            elif path == "/missing.png":
                self.send(404, b"not here", Content_Type="text/plain")
            elif path.startswith("/hop/"):
                left = int(path.removeprefix("/hop/"))
                self.redirect("/cat.png" if left == 0 else f"/hop/{left - 1}")
            elif path == "/absolute-hop":
                port = self.server.server_address[1]
                self.redirect(f"http://localhost:{port}/cat.png")
            elif path == "/to-metadata":
                self.redirect("http://169.254.169.254/latest/meta-data/")
            elif path == "/to-mapped-metadata":
                self.redirect("http://[::ffff:a9fe:a9fe]/latest/meta-data/")
            elif path == "/to-private":
                self.redirect("http://10.0.0.5:8080/admin")
            elif path == "/to-file":
                self.redirect("file:///etc/passwd")
            elif path == "/to-gopher":
                self.redirect("gopher://127.0.0.1:6379/_FLUSHALL")
            elif path == "/to-userinfo":
                self.redirect(f"http://user:pw@127.0.0.1:{self.server.server_address[1]}/cat.png")
            elif path == "/loop":
                self.redirect("/loop")
            elif path == "/no-location":
                self.send(302)
            elif path == "/cookie-hop":
                self.redirect("/cat.png", Set_Cookie="session=stolen; Path=/")
            elif path == "/redirect-with-endless-body":
                self.send_response(302)
                self.send_header("Location", "/cat.png")
                self.send_header("Connection", "close")
                self.end_headers()
                self.endless()
            elif path == "/declares-huge":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                time.sleep(30)  # never sends the body: a fetch that waits for it would time out
            elif path == "/endless":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Connection", "close")
                self.end_headers()
                self.endless()
            elif path == "/drip":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(100_000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif path == "/gzip":
                self.send(200, b"\x1f\x8b compressed", Content_Encoding="gzip")
            elif path == "/text":
                self.send(200, b"<html>not an image</html>", Content_Type="text/html")
            else:
                self.send(500, b"unknown test path")

    return Handler


def serve(
    host: str, family: socket.AddressFamily, tls: ssl.SSLContext | None = None
) -> Iterator[ImageServer]:
    record: list[Seen] = []

    class Server(http.server.ThreadingHTTPServer):
        address_family = family
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass

    server = Server((host, 0), make_handler(record))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ImageServer(server, record)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def image_server() -> Iterator[ImageServer]:
    yield from serve("127.0.0.1", socket.AF_INET)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch, image_server):
    """Every outgoing connection must go to loopback; anything else fails the test unsent."""
    image_server.seen.clear()
    attempts: list[str] = []

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        attempts.append(host)
        if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            pytest.fail(f"a connection to {address} was attempted")
        return REAL_CONNECT(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return attempts


def fetch(url: str, **options) -> FetchedImage:
    return fetch_image(url, allow_loopback=True, **options)


def test_a_png_is_fetched_as_sent(image_server):
    fetched = fetch(image_server.url("/cat.png"))
    assert fetched.data == PNG
    assert sniff_image(fetched.data).format == "PNG"
    assert fetched.content_type == "image/png"
    assert fetched.final_url == fetched.url == image_server.url("/cat.png")
    assert fetched.redirects == 0
    assert "data" not in repr(fetched)


def test_a_page_that_is_not_an_image_is_still_returned_for_intake_to_judge(image_server):
    fetched = fetch(image_server.url("/text"))
    assert fetched.content_type == "text/html"
    assert fetched.data.startswith(b"<html>")


def test_404_is_a_sentence(image_server):
    with pytest.raises(URLFetchError) as caught:
        fetch(image_server.url("/missing.png"))
    assert str(caught.value) == (
        "The server answered 404 Not Found for this image URL; "
        "check that the link opens in a browser."
    )


def test_two_redirects_are_followed(image_server):
    fetched = fetch(image_server.url("/hop/1"))
    assert fetched.data == PNG
    assert fetched.redirects == 2
    assert fetched.final_url == image_server.url("/cat.png")
    assert image_server.paths == ["/hop/1", "/hop/0", "/cat.png"]


def test_three_redirects_are_the_most_followed(image_server):
    assert fetch(image_server.url("/hop/2")).redirects == 3


def test_a_fourth_redirect_is_refused_without_following_it(image_server):
    with pytest.raises(URLFetchError, match="redirected more than 3 times"):
        fetch(image_server.url("/hop/3"))
    assert image_server.paths == ["/hop/3", "/hop/2", "/hop/1", "/hop/0"]


def test_a_redirect_loop_ends(image_server):
    with pytest.raises(URLFetchError, match="redirected more than 3 times"):
        fetch(image_server.url("/loop"))
    assert len(image_server.seen) == 4


def test_an_absolute_redirect_to_another_loopback_name_is_followed(image_server):
    fetched = fetch(image_server.url("/absolute-hop"))
    assert fetched.final_url == f"http://localhost:{image_server.port}/cat.png"
    assert image_server.seen[-1].headers["Host"] == f"localhost:{image_server.port}"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/to-metadata",
            "The image URL redirected to a link-local or cloud-metadata address "
            "(169.254.169.254); only public images can be fetched.",
        ),
        ("/to-mapped-metadata", "(169.254.169.254)"),
        ("/to-private", "a private network address (10.0.0.5)"),
        ("/to-file", "not file: ones"),
        ("/to-gopher", "not gopher: ones"),
        ("/to-userinfo", "user name or password"),
    ],
)
def test_a_redirect_to_a_forbidden_place_is_refused_without_connecting(
    image_server, loopback_only, path, message
):
    with pytest.raises(URLBlockedError) as caught:
        fetch(image_server.url(path))
    assert message in str(caught.value)
    assert len(loopback_only) == 1  # only the first hop, to the test server
    assert image_server.paths == [path]


def test_a_redirect_without_location_is_a_sentence(image_server):
    with pytest.raises(URLFetchError, match="without saying where the image moved"):
        fetch(image_server.url("/no-location"))


def test_a_redirect_body_is_never_read(image_server):
    # requests' Session.send would drain this endless 302 body; we close it unread.
    fetched = fetch(image_server.url("/redirect-with-endless-body"), deadline_s=10)
    assert fetched.data == PNG


def test_a_declared_length_over_the_cap_is_refused_before_reading(image_server):
    with pytest.raises(URLFetchError, match="larger than the 20 MB limit"):
        fetch(image_server.url("/declares-huge"), deadline_s=20)


def test_an_endless_body_is_cut_at_the_cap(image_server):
    with pytest.raises(URLFetchError, match="larger than the 100 KB limit; use a smaller image"):
        fetch(image_server.url("/endless"), max_bytes=100 * 1024)


def test_a_body_at_exactly_the_cap_is_accepted(image_server):
    assert fetch(image_server.url("/cat.png"), max_bytes=len(PNG)).data == PNG
    with pytest.raises(URLFetchError, match="larger than"):
        fetch(image_server.url("/cat.png"), max_bytes=len(PNG) - 1)


def test_a_slow_drip_is_stopped_at_the_overall_deadline(image_server):
    # Every byte arrives well within the 10 s read timeout; only the overall deadline stops it.
    with pytest.raises(URLFetchError, match="took too long to download"):
        fetch(image_server.url("/drip"), deadline_s=1.0)


def test_a_compressed_body_is_refused(image_server):
    with pytest.raises(URLFetchError, match=r"compressed \(gzip\)"):
        fetch(image_server.url("/gzip"))
    assert image_server.seen[-1].headers["Accept-Encoding"] == "identity"


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
