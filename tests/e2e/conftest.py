"""Browser tests: Debian's Chromium driven by Playwright against `streamlit run` and the echo."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vision.echo import EchoServer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
E2E_KEY = "e2e-key"
# Slow enough that streaming is visible in the browser, fast enough to keep the test short.
TOKEN_DELAY_S = 0.04
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium (Playwright cannot download browsers here)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests, but Chromium is not installed.")
        pytest.skip("Chromium is not installed: `make chromium` installs it with apt.")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


@dataclass(frozen=True)
class RunningApp:
    """The app under test: its URL and the echo backend it talks to."""

    url: str
    echo: EchoServer


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`streamlit run streamlit_app.py` on a free loopback port, pointed at a slow echo."""
    ARTIFACTS.mkdir(exist_ok=True)
    with EchoServer(api_key=E2E_KEY, token_delay_s=TOKEN_DELAY_S) as echo:
        port = _free_port()
        env = {
            **os.environ,
            "IOINTELLIGENCE_BASE_URL": echo.base_url,
            "IOINTELLIGENCE_API_KEY": E2E_KEY,
            "VISION_ALLOW_LOOPBACK_URLS": "1",
            # Never the developer's own history file.
            "VISION_HISTORY_PATH": str(tmp_path_factory.mktemp("history") / "history.sqlite3"),
        }
        command = [
            sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        log = (ARTIFACTS / "streamlit.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield RunningApp(url=url, echo=echo)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
