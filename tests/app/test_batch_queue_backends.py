"""Batch page in team mode (a real PostgreSQL, VISION_BATCH_QUEUE=1): a batch runs on the backend
and key the person chose. The echo's batch runs here on the echo (no worker asks anything with
the team's key); a pasted key is never handed to the workers, so its batch is refused with a
sentence saying which key would pay; a team-key batch passes the budget before it is queued."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_sign_in_pages import ACCESS, ALICE, AUTH, ISSUER
from tests.support.images import make_image
from tests.support.pages import APP, TIMEOUT_S, shows, texts
from vision.batch.running.in_process import LiveBatch
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.team.access import workspace_for

TEAM_KEY = "team-key-kept-on-the-server"
OWN_KEY = "io-alices-own-key-for-today-0123456789"
ALICE_WS = workspace_for(ISSUER, ALICE["sub"])
THREE = [(f"{n}.png", make_image("PNG", (40 + n, 40)), "image/png") for n in range(3)]


@pytest.fixture
def team_echo() -> Iterator[EchoServer]:
    """The API the team's key (and Alice's own) would reach: nothing may be asked of it here."""
    with EchoServer(api_key=TEAM_KEY) as echo:
        yield echo


@pytest.fixture
def team_page(
    team_echo: EchoServer, postgres_server, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], AppTest]]:
    """Opens the Batch page as Alice in a team app whose batches go to the workers' queue."""
    name = postgres_server.create_database()
    url = postgres_server.url(name)
    monkeypatch.setenv("VISION_DATABASE_URL", url)
    monkeypatch.setenv("VISION_BATCH_QUEUE", "1")
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", team_echo.base_url)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", TEAM_KEY)

    def start() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["auth"] = AUTH
        at.secrets["access"] = ACCESS
        at.user = ALICE
        at.run()
        at.switch_page("ui/pages/batch.py").run()
        assert not at.exception
        return at

    try:
        yield start
    finally:
        postgres_server.drop_database(name)


def _queued_chunks() -> int:
    """Chunks of Alice's kept batches in the workers' queue, in any state."""
    with HistoryStore(url=os.environ["VISION_DATABASE_URL"], workspace=ALICE_WS) as store:
        return sum(sum(store.chunk_counts(batch.id).values()) for batch in store.kept_batches())


def _fill(at: AppTest) -> None:
    at.file_uploader(key="batch_images").set_value(THREE).run()
    at.number_input(key="batch_concurrency").set_value(1).run()


def test_an_echo_batch_runs_here_on_the_echo_and_nothing_is_queued_for_the_team_key(
    team_page, team_echo
):
    at = team_page()
    at.toggle(key="use_echo").set_value(True).run()
    _fill(at)
    assert not at.button(key="batch_run").disabled, texts(at)
    at.button(key="batch_run").click().run()
    assert not at.exception
    assert at.session_state["batch"].wait(TIMEOUT_S)
    at.run()
    assert shows(at, "6 answered")
    assert _queued_chunks() == 0  # no worker will ask anything
    assert team_echo.chat_requests == []  # the team's key paid for nothing
    answers = {run.answer for run in at.session_state["batch"].view().runs.values()}
    assert all(answer.startswith("[echo backend — no model ran]") for answer in answers)
    # Opened again in a new session, it is still this process's to run (on the echo), not
    # the workers'.
    batch_id = at.session_state["batch"].batch_id
    fresh = team_page()
    fresh.selectbox(key="batch_earlier").set_value(batch_id).run()
    fresh.button(key="batch_open").click().run()
    assert isinstance(fresh.session_state["batch"], LiveBatch)
    assert shows(fresh, f"batch `{batch_id}`")


def test_a_batch_on_a_pasted_key_is_refused_with_a_sentence_naming_the_key_that_would_pay(
    team_page, team_echo
):
    at = team_page()
    at.text_input(key="api_key_input").set_value(OWN_KEY).run()
    _fill(at)
    assert at.button(key="batch_run").disabled
    assert shows(at, "your own key never leaves this session")
    assert shows(at, "to run this batch on the team's key (the team pays)")
    assert "batch" not in at.session_state
    assert _queued_chunks() == 0
    assert team_echo.chat_requests == []


def test_a_team_key_batch_over_the_budget_is_not_queued(team_page, team_echo, monkeypatch):
    monkeypatch.setenv("VISION_DAILY_TOKENS_PER_PERSON", "100")
    at = team_page()
    _fill(at)
    assert at.button(key="batch_run").disabled
    assert shows(at, "Not sent: this needs about")
    assert "batch" not in at.session_state
    assert _queued_chunks() == 0
    assert team_echo.chat_requests == []
