"""An upload whose browser goes away halfway, as the app server sees it."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

UPLOAD_ROUTE = "**/_stcore/upload_file/**"
BOUNDARY = "vision-test-boundary"
DECLARED_BYTES = 5_000_000
SENT_BYTES = 200_000


def hang_up_mid_upload(url: str, headers: Mapping[str, str]) -> None:
    """PUT to an upload address the page was given, with its cookie and XSRF header: send the
    headers and the first part of the body, then close the connection."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost") or parts.port is None:
        raise ValueError("uploads are cut short on loopback only")
    part_head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    kept = {name: value for name, value in headers.items() if name in ("cookie", "x-xsrftoken")}
    head = (
        f"PUT {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in kept.items())
        + f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {DECLARED_BYTES}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(head + part_head + os.urandom(SENT_BYTES))
        time.sleep(0.5)  # the server is reading the body when the browser goes
