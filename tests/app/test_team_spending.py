"""The team's key, a person's own key, daily budgets and the audit trail on the Playground and
Batch pages, with signed-in people (AppTest) against the echo backend."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_sign_in_pages import ACCESS, ALICE, AUTH, BOB, ISSUER, _everything
from tests.support.images import make_image
from tests.support.pages import APP, TIMEOUT_S, shows, texts
from tests.support.playground_page import send, upload
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.team.access import workspace_for
from vision.team.ledger import made_with_own_key
from vision.team.records import TeamRecords
from vision.values.audit import AuditEvent
from vision.values.run import Run

TEAM_KEY = "team-key-kept-on-the-server"
OWN_KEY = "alices-own-key-for-today-0123456789"
ALICE_WS = workspace_for(ISSUER, "alice-1")
PROMPT = "What does the sign on the zebra crossing say?"


@pytest.fixture
def team_echo(monkeypatch: pytest.MonkeyPatch, history_file: Path):
    """The echo accepting the team's key; the app configured with it."""
    with EchoServer(api_key=TEAM_KEY) as echo:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
        monkeypatch.setenv("IOINTELLIGENCE_API_KEY", TEAM_KEY)
        yield echo


def _start(user: dict[str, object], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = ACCESS
    at.user = user
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


def _ask(at: AppTest) -> None:
    upload(at, ("sign.png", make_image("PNG", (640, 480)), "image/png"))
    at.text_area(key="prompt").set_value(PROMPT).run()
    send(at)


def _events() -> list[AuditEvent]:
    with HistoryStore() as store:
        return TeamRecords(store).events()


def test_the_team_key_answers_and_the_audit_trail_has_metadata_only(team_echo: EchoServer):
    at = _ask_as_alice()
    assert shows(at, "received the prompt")
    assert TEAM_KEY not in _everything(at)
    answers = [event for event in _events() if event.event == "answer"]
    assert len(answers) == 2  # one per model
    for event in answers:
        assert event.workspace == ALICE_WS
        assert event.email == "alice@team.example"
        assert event.key == "team"
        assert event.images == 1
        assert event.prompt_tokens
        assert event.completion_tokens
        assert event.cost is not None  # the echo's /models lists prices
        assert PROMPT not in repr(event)
        assert TEAM_KEY not in repr(event)
    assert [event.event for event in _events()][-1] == "sign_in"


def _ask_as_alice() -> AppTest:
    at = _start(ALICE)
    _ask(at)
    return at


def test_a_pasted_key_is_used_for_the_session_only_and_its_runs_are_marked(
    team_echo: EchoServer, monkeypatch: pytest.MonkeyPatch
):
    # The team's key is refused by this echo: only alice's own key works.
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", "a-team-key-this-echo-refuses")
    with EchoServer(api_key=OWN_KEY) as own_echo:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", own_echo.base_url)
        at = _start(ALICE)
        at.text_input(key="api_key_input").set_value(OWN_KEY).run()
        assert shows(at, "Key for this session only (your own: runs are marked as made with it)")
        _ask(at)
        assert shows(at, "received the prompt")
        # This echo answers only its own key: the two answers went with alice's.
        assert len(own_echo.chat_requests) == 2
    with HistoryStore(workspace=ALICE_WS) as store:
        runs = store.search_runs()
    assert len(runs) == 2
    assert all(made_with_own_key(run) for run in runs)
    history = _start(ALICE, page="ui/pages/history.py")
    history.selectbox(key="history_run").set_value(runs[0].id).run()
    assert shows(history, "made with your own key")
    assert {event.key for event in _events() if event.event == "answer"} == {"own"}
    # Her own key is not stored anywhere: not in the history, not in the audit trail.
    with HistoryStore() as store:
        assert TeamRecords(store).spent(since=datetime(2000, 1, 1, tzinfo=UTC)).tokens == 0
    # The database, its log and the kept originals in the folder beside it.
    folder = Path(str(HistoryStore().path)).parent
    kept = [*folder.glob("history.sqlite3*"), *folder.glob("history.sqlite3-blobs/**/*")]
    for path in kept:
        if path.is_file():
            assert OWN_KEY.encode() not in path.read_bytes()
    # Another session (a new browser) does not have it.
    fresh = _start(ALICE)
    assert fresh.text_input(key="api_key_input").value == ""


def _spend(workspace: str, tokens: int) -> None:
    with HistoryStore() as store:
        TeamRecords(store).record(
            AuditEvent(event="answer", workspace=workspace, model="m", prompt_tokens=tokens,
                       completion_tokens=0, key="team")
        )  # fmt: skip


def test_a_send_over_the_persons_daily_budget_is_stopped_before_anything_is_sent(
    team_echo: EchoServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("VISION_DAILY_TOKENS_PER_PERSON", "20000")
    _spend(ALICE_WS, 19_900)
    at = _start(ALICE)
    assert shows(at, "Budget today (UTC): your daily tokens: 100 of 20,000 left.")
    upload(at, ("sign.png", make_image("PNG", (640, 480)), "image/png"))
    assert at.button(key="send").disabled
    assert shows(at, "Not sent: this needs about ")
    assert shows(at, "but only 100 of your 20,000 daily tokens are left (19,900 used)")
    assert team_echo.chat_requests == []
    # Bob's budget is his own: he can still send.
    bob = _start(BOB)
    _ask(bob)
    assert len(team_echo.chat_requests) == 2


def test_the_teams_budget_stops_everyone_once_spent(
    team_echo: EchoServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("VISION_DAILY_TOKENS_TEAM", "10000")
    _spend(workspace_for(ISSUER, "someone-else"), 10_000)
    bob = _start(BOB)
    upload(bob, ("sign.png", make_image("PNG", (640, 480)), "image/png"))
    assert bob.button(key="send").disabled
    assert shows(bob, "of the team's 10,000 daily tokens are left (10,000 used)")
    assert team_echo.chat_requests == []


def test_a_batch_over_the_budget_does_not_start(
    team_echo: EchoServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("VISION_DAILY_TOKENS_PER_PERSON", "3000")
    at = _start(ALICE, page="ui/pages/batch.py")
    at.file_uploader(key="batch_images").set_value(
        [(f"p{i}.png", make_image("PNG", (640, 480), seed=i), "image/png") for i in range(3)]
    ).run()
    assert not at.exception
    assert at.button(key="batch_run").disabled
    assert shows(at, "Not sent: this needs about ")
    assert shows(at, "of your 3,000 daily tokens are left")
    assert team_echo.chat_requests == []


def _needed(at: AppTest) -> int:
    """The tokens the page says a refused batch needs."""
    said = " ".join(text for text in texts(at) if "Not sent: this needs about " in text)
    (needed,) = set(re.findall(r"needs about ([\d,]+) tokens", said))  # said alike wherever
    return int(needed.replace(",", ""))


def test_a_batch_repeated_three_times_needs_three_times_the_budget(
    team_echo: EchoServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("VISION_DAILY_TOKENS_PER_PERSON", "1000")
    at = _start(ALICE, page="ui/pages/batch.py")
    at.file_uploader(key="batch_images").set_value(
        [("p.png", make_image("PNG", (640, 480)), "image/png")]
    ).run()
    once = _needed(at)
    at.number_input(key="batch_repeats").set_value(3).run()
    assert not at.exception
    assert at.button(key="batch_run").disabled
    assert _needed(at) == 3 * once
    assert team_echo.chat_requests == []


def test_runs_of_a_person_who_shared_nothing_stay_out_of_the_admin_trail(team_echo: EchoServer):
    with HistoryStore(workspace=ALICE_WS) as store:
        store.save_run(Run(prompt=PROMPT, model="m", answer="secret answer"))
    text = "\n".join(repr(event) for event in _events())
    assert PROMPT not in text
    assert "secret answer" not in text
