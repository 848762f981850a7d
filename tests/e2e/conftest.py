"""Browser tests: Debian's Chromium driven by Playwright against `streamlit run` and the echo."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.apps import ARTIFACTS, free_port, streamlit_server
from tests.support.chromium import CHROMIUM_ARGS
from vision.echo import EchoServer

E2E_KEY = "e2e-key"
# Slow enough that streaming is visible in the browser, fast enough to keep the test short.
TOKEN_DELAY_S = 0.04


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium (Playwright cannot download browsers here)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests, but Chromium is not installed.")
        pytest.skip("Chromium is not installed: `make chromium` installs it with apt.")
    return {**browser_type_launch_args, "executable_path": chromium, "args": list(CHROMIUM_ARGS)}


@dataclass(frozen=True)
class RunningApp:
    """The app under test: its URL and the echo backend it talks to."""

    url: str
    echo: EchoServer


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`streamlit run streamlit_app.py` on a free loopback port, pointed at a slow echo."""
    ARTIFACTS.mkdir(exist_ok=True)
    with EchoServer(api_key=E2E_KEY, token_delay_s=TOKEN_DELAY_S, record_bodies=True) as echo:
        env = {
            **os.environ,
            "IOINTELLIGENCE_BASE_URL": echo.base_url,
            "IOINTELLIGENCE_API_KEY": E2E_KEY,
            "VISION_ALLOW_LOOPBACK_URLS": "1",
            # Never the developer's own history file.
            "VISION_HISTORY_PATH": str(tmp_path_factory.mktemp("history") / "history.sqlite3"),
        }
        with streamlit_server(
            script="streamlit_app.py",
            port=free_port(),
            env=env,
            log=ARTIFACTS / "streamlit.log",
            options=["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        ) as (url, _):
            yield RunningApp(url=url, echo=echo)
