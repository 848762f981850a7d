"""What the echo backend keeps and shows, over real loopback sockets: its control routes need the
key, an echo made without record_bodies keeps no prompt or image, its memory stays flat under
large requests, and a request addressed to a foreign name (DNS rebinding) is refused."""

from __future__ import annotations

import gc
import os
import tracemalloc
from io import BytesIO

import pytest
import requests
from PIL import Image

from tests.support.echo_requests import PROMPT, data_url, png_url, post, seed_body
from tests.support.models import QWEN
from vision.echo import EchoServer, Fault
from vision.echo.recorder import MAX_RECORDED_MODEL_CHARS, METADATA_RING_SIZE

KEY = "echo-privacy-key-0123456789"
BEARER = {"Authorization": f"Bearer {KEY}"}


def _control(echo: EchoServer, path: str) -> str:
    return echo.base_url.replace("/v1", f"/_echo/{path}")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "requests", None),
        ("DELETE", "requests", None),
        ("POST", "faults", {"kind": "status", "status": 500}),
        ("DELETE", "faults", None),
    ],
)
def test_every_control_route_needs_the_key(method: str, path: str, body: object) -> None:
    with EchoServer(api_key=KEY) as echo:
        post(echo, seed_body(QWEN, png_url()), headers=BEARER)
        url = _control(echo, path)
        for headers in ({}, {"Authorization": "Bearer not-the-key"}):
            refused = requests.request(method, url, json=body, headers=headers, timeout=10)
            assert refused.status_code == 401
            assert refused.json() == {"detail": "Unauthorized"}
        assert echo.faults.pending() == []  # nothing was queued by the refused POST
        assert len(echo.requests) == 1  # nor cleared by the refused DELETE
        allowed = requests.request(method, url, json=body, headers=BEARER, timeout=10)
        assert allowed.status_code in (200, 201)


def test_an_echo_that_does_not_record_bodies_keeps_only_metadata() -> None:
    with EchoServer(api_key=KEY) as echo:
        answered = post(echo, seed_body(QWEN, png_url()), headers=BEARER)
        echo.add_fault(Fault(kind="status", status=429))
        limited = post(echo, seed_body(QWEN, png_url()), headers=BEARER)
        listing = requests.get(_control(echo, "requests"), headers=BEARER, timeout=10)
    assert (answered.status_code, limited.status_code) == (200, 429)
    first, second = echo.requests
    assert first.body is None
    assert first.headers == {}
    assert (first.model, first.status, second.status) == (QWEN, 200, 429)
    assert first.size_bytes == len(answered.request.body or b"")
    assert first.received_at > 0
    assert PROMPT not in listing.text
    assert "base64" not in listing.text
    assert [entry["status"] for entry in listing.json()] == [200, 429]


def test_the_metadata_ring_keeps_only_the_latest_requests() -> None:
    with EchoServer(api_key=KEY) as echo, requests.Session() as session:
        for _ in range(METADATA_RING_SIZE + 20):
            session.get(f"{echo.base_url}/models", timeout=10)
        assert len(echo.requests) == METADATA_RING_SIZE


def test_a_huge_model_name_is_not_kept_whole() -> None:
    with EchoServer(api_key=KEY) as echo:
        answered = post(echo, seed_body("m" * 1_000_000), headers=BEARER)
    assert answered.status_code == 400  # no such model
    assert echo.requests[-1].model == "m" * MAX_RECORDED_MODEL_CHARS


def test_tests_can_ask_for_bodies_explicitly() -> None:
    with EchoServer(api_key=KEY, record_bodies=True) as echo:
        post(echo, seed_body(QWEN, png_url()), headers=BEARER)
    assert echo.requests[-1].body is not None
    assert echo.requests[-1].body["model"] == QWEN


def _large_png() -> bytes:
    """A PNG of about 6 MB that does not compress (noise)."""
    image = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    buffer = BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def test_memory_stays_flat_over_twenty_large_requests() -> None:
    png = _large_png()
    assert len(png) > 5_500_000
    body = seed_body(QWEN, data_url(png, "image/png"))
    with EchoServer(api_key=KEY) as echo, requests.Session() as session:
        session.headers.update(BEARER)
        url = f"{echo.base_url}/chat/completions"
        assert session.post(url, json=body, timeout=60).status_code == 200  # warm up
        gc.collect()
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            for _ in range(20):
                assert session.post(url, json=body, timeout=60).status_code == 200
            gc.collect()
            after, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(echo.chat_requests) == 21
    # Keeping the bodies grew this by about 8 MB a request (160 MB); without them it stays put.
    assert after - before < 10 * 1024 * 1024, f"grew by {(after - before) / 2**20:.0f} MiB"


@pytest.mark.parametrize(
    "host", ["rebound.attacker.example", "rebound.attacker.example:80", "10.0.0.7", "[fe80::1]"]
)
def test_a_request_addressed_to_a_foreign_name_is_refused(host: str) -> None:
    with EchoServer(api_key=KEY) as echo:
        for method, path in (("GET", "/v1/models"), ("POST", "/v1/chat/completions")):
            refused = requests.request(
                method,
                echo.base_url.removesuffix("/v1") + path,
                json=seed_body(QWEN, png_url()),
                headers={**BEARER, "Host": host},
                timeout=10,
            )
            assert refused.status_code == 403
            assert "answers only requests addressed to" in refused.json()["detail"]
        assert echo.requests == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "[::1]"])
def test_loopback_names_are_answered(host: str) -> None:
    with EchoServer(api_key=KEY) as echo:
        port = echo.base_url.rsplit(":", 1)[1].split("/")[0]
        response = requests.get(
            f"{echo.base_url}/models", headers={"Host": f"{host}:{port}"}, timeout=10
        )
        assert response.status_code == 200


def test_a_name_the_echo_was_told_to_allow_is_answered() -> None:
    with EchoServer(api_key=KEY, allowed_hosts=["echo.lab.internal"]) as echo:
        allowed = requests.get(
            f"{echo.base_url}/models", headers={"Host": "echo.lab.internal:8800"}, timeout=10
        )
        other = requests.get(f"{echo.base_url}/models", headers={"Host": "evil.test"}, timeout=10)
    assert (allowed.status_code, other.status_code) == (200, 403)
