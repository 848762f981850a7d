"""A hostile image host for the fetch tests: a stdlib HTTP(S) server on loopback whose paths
misbehave (redirect loops, private targets, endless bodies, slow drips, slow or endless
headers), and fetch() to call it."""

from __future__ import annotations

import contextlib
import http.server
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.support.images import make_image
from vision import FetchedImage, fetch_image

PNG = make_image("PNG", (32, 24))
# The slow-header path sends one byte of its headers this often: each byte well within the
# fetch's read timeout, so only an overall deadline stops it.
HEADER_DRIP_S = 0.25
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

        def slow_headers(self) -> None:
            """A status line, then headers one byte at a time, never ending (for a minute)."""
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            header = b"X-Padding: " + b"a" * 1000 + b"\r\n"
            for number in range(int(60 / HEADER_DRIP_S)):
                self.wfile.write(header[number % len(header) : number % len(header) + 1])
                self.wfile.flush()
                time.sleep(HEADER_DRIP_S)

        def header_flood(self, count: int, size: int) -> None:
            """A 200 with `count` headers of `size` bytes each, then a PNG."""
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n")
            for number in range(count):
                self.wfile.write(f"X-Flood-{number}: ".encode() + b"a" * size + b"\r\n")
            self.wfile.write(f"Content-Length: {len(PNG)}\r\n\r\n".encode() + PNG)

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
            elif path == "/slow-headers":
                self.slow_headers()
            elif path == "/header-flood":
                self.header_flood(count=90, size=2000)  # 180 KB of headers, under 100 of them
            elif path == "/many-headers":
                self.header_flood(count=150, size=10)  # small, but more than 100
            elif path == "/big-headers":
                self.header_flood(count=20, size=2000)  # 40 KB: large, yet allowed
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


def fetch(url: str, **options: Any) -> FetchedImage:
    """fetch_image with loopback allowed: the fetch tests talk to their own loopback server."""
    return fetch_image(url, allow_loopback=True, **options)
