"""The echo backend under a burst: every connection of many people asking at once waits its turn
instead of being refused, and each request notes when it arrived (the benchmark times the app by
it)."""

from __future__ import annotations

import socket
import threading
import time

import requests

from tests.support.echo_requests import AUTH, png_url, post, seed_body
from tests.support.models import QWEN
from vision.echo import EchoServer
from vision.echo.server import EchoHTTPServer

BURST = 40  # two requests each for twenty people


def test_a_burst_of_connections_waits_for_the_server_instead_of_being_refused() -> None:
    # Nothing accepts while the burst arrives, as when the accepting thread waits for the GIL.
    server = EchoHTTPServer(("127.0.0.1", 0), EchoServer())
    port = int(server.server_address[1])
    sockets: list[socket.socket] = []
    try:
        for _ in range(BURST):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=1.5))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        for connection in sockets:
            connection.sendall(b"GET /v1/models HTTP/1.1\r\nHost: echo\r\n\r\n")
        for connection in sockets:
            assert connection.recv(12).startswith(b"HTTP/1.")
    finally:
        for connection in sockets:
            connection.close()
        server.shutdown()
        server.server_close()


def test_each_request_notes_when_it_arrived(echo: EchoServer) -> None:
    before = time.time()
    post(echo, seed_body(QWEN, png_url()), headers=AUTH)
    after = time.time()
    record = echo.chat_requests[-1]
    assert before <= record.received_at <= after
    listing = requests.get(
        echo.base_url.replace("/v1", "/_echo/requests"), headers=AUTH, timeout=10
    ).json()
    assert listing[-1]["received_at"] == record.received_at
