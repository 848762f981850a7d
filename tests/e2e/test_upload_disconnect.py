"""An upload whose browser goes away halfway leaves one line in the server's log, no traceback.

Chromium's own network throttling makes the moment a closed page drops its upload unreliable,
so the browser opens the page and starts an upload (held back here), and a socket carrying
that upload's address, cookie and XSRF header sends the first part of the body, then hangs up:
on the server that is exactly a browser leaving mid-upload.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from tests.support.uploads import UPLOAD_ROUTE, hang_up_mid_upload
from vision.server_log import BROWSER_LEFT

pytestmark = pytest.mark.e2e

# Where the running_app fixture (tests/e2e/conftest.py) writes the app server's log.
SERVER_LOG = Path(__file__).resolve().parents[2] / "test-artifacts" / "streamlit.log"
UPLOADER = "[data-testid='stFileUploaderDropzoneInput']"
NOTICED_S = 20


def _log_size() -> int:
    return SERVER_LOG.stat().st_size if SERVER_LOG.exists() else 0


def _log_since(offset: int) -> str:
    with SERVER_LOG.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", errors="replace")


def test_an_upload_cut_short_logs_one_line_and_no_traceback(page: Page, running_app):
    page.goto(running_app.url)
    page.wait_for_selector(UPLOADER, state="attached", timeout=30_000)
    held: list[tuple[str, dict[str, str]]] = []

    def hold(route: Route) -> None:
        held.append((route.request.url, route.request.all_headers()))
        route.abort()

    page.route(UPLOAD_ROUTE, hold)
    page.locator(UPLOADER).set_input_files(
        files=[{"name": "small.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" * 10}]
    )
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert held, "the page never started an upload"
    offset = _log_size()

    hang_up_mid_upload(*held[0])

    logged = ""
    deadline = time.monotonic() + NOTICED_S
    while not ("Traceback" in logged or BROWSER_LEFT in logged) and time.monotonic() < deadline:
        time.sleep(0.25)
        logged = _log_since(offset)
    assert "Traceback" not in logged, logged
    assert BROWSER_LEFT in logged, "the server never noticed the upload end"
