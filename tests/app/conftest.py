"""Every page test writes its history to a file of its own; the Playground and Batch page tests
start their page; team-mode Batch tests get a PostgreSQL database of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_sign_in_pages import ACCESS, ALICE, AUTH
from tests.conftest import ECHO_API_KEY
from tests.support.pages import APP, TIMEOUT_S
from tests.support.postgres import PostgresServer
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


@pytest.fixture
def team_database(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Team mode's store: a fresh PostgreSQL database as $VISION_DATABASE_URL, with the batch
    queue on ($VISION_BATCH_QUEUE=1); its URL, dropped after the test."""
    name = postgres_server.create_database()
    try:
        url = postgres_server.url(name)
        monkeypatch.setenv("VISION_DATABASE_URL", url)
        monkeypatch.setenv("VISION_BATCH_QUEUE", "1")
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def team_batch_page(
    team_database: str, echo: EchoServer, monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    """The Batch page of a team app on team_database against the echo backend, signed in as
    ALICE."""
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    # A team app: the queue needs sign-in, or the app refuses to start.
    at.secrets["auth"] = AUTH
    at.secrets["access"] = ACCESS
    at.user = ALICE
    at.run()
    at.switch_page("ui/pages/batch.py").run()
    return at
