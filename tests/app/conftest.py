"""Every page test writes its history to a file of its own; the Playground and Batch page tests
start their page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ECHO_API_KEY
from tests.support.pages import APP, TIMEOUT_S
from vision.echo import EchoServer


@pytest.fixture(autouse=True)
def history_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$VISION_HISTORY_PATH pointed at this test's temporary folder (tests may repoint it)."""
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("VISION_HISTORY_PATH", str(path))
    return path


@pytest.fixture
def app(echo: EchoServer, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """A function that starts the Playground against the echo backend with the given key."""

    def start(key: str | None = ECHO_API_KEY) -> AppTest:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
        if key is None:
            monkeypatch.delenv("IOINTELLIGENCE_API_KEY", raising=False)
        else:
            monkeypatch.setenv("IOINTELLIGENCE_API_KEY", key)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}  # isolate from a developer's secrets.toml
        at.run()
        assert not at.exception
        return at

    return start


@pytest.fixture
def batch_page(echo: EchoServer, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """A function that opens the Batch page against an echo backend (default: the fixture's)."""

    def start(server: EchoServer = echo, key: str = ECHO_API_KEY) -> AppTest:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", server.base_url)
        monkeypatch.setenv("IOINTELLIGENCE_API_KEY", key)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}  # isolate from a developer's secrets.toml
        at.run()
        at.switch_page("ui/pages/batch.py").run()
        assert not at.exception
        assert [title.value for title in at.title] == ["Batch evaluation"]
        return at

    return start
