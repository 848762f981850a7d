"""Sharing and the admin's usage page, through AppTest with signed-in people: a link shows a run
or batch only while its owner shares it; only admins get the usage page, with no prompt on it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_sign_in_pages import ACCESS, ALICE, AUTH, BOB, ISSUER, _everything, _user
from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import APP, TIMEOUT_S, shows, texts_of
from vision.batch.recorded.naming import batch_title
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.team.access import workspace_for
from vision.team.records import TeamRecords
from vision.values.audit import AuditEvent
from vision.values.run import Run, RunFilter

LEAD = _user("lead@team.example", "lead-9")
ALICE_WS = workspace_for(ISSUER, "alice-1")
BOB_WS = workspace_for(ISSUER, "bob-2")


@pytest.fixture
def team(echo: EchoServer, monkeypatch: pytest.MonkeyPatch, history_file: Path) -> dict[str, int]:
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    with HistoryStore(history_file, workspace=ALICE_WS) as alice:
        shared = alice.save_run(Run(prompt="alice shares this zebra", model=LLAMA, answer="z1"))
        private = alice.save_run(Run(prompt="alice keeps this okapi", model=QWEN, answer="o1"))
        for index in range(2):
            alice.save_run(
                Run(prompt="batch item prompt", model=LLAMA, answer=f"item {index}",
                    batch_id="alice-batch", kind="batch_item", item_index=index)
            )  # fmt: skip
    return {"shared": shared.id, "private": private.id}


def _start(user: dict[str, object], *, page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = ACCESS
    at.user = user
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


def test_a_run_link_shows_the_run_only_once_its_owner_shares_it(team: dict[str, int]):
    run_id = str(team["shared"])
    bob = _start(BOB, run=run_id)
    assert shows(bob, "This link shows nothing: the run is not shared with the team")
    assert "zebra" not in _everything(bob)

    alice = _start(ALICE, page="ui/pages/shared.py")
    alice.selectbox(key="share_run_pick").set_value(run_id).run()
    alice.button(key="share_run").click().run()
    assert not alice.exception
    links = [block.value for block in alice.code]
    assert links == [f"/?run={run_id}"]

    bob = _start(BOB, run=run_id)
    assert "alice shares this zebra" in _everything(bob)
    assert shows(bob, "Shared by alice@team.example.")
    assert "okapi" not in _everything(bob)
    # Her other run stays hers, whatever id is guessed.
    for guess in (str(team["private"]), "999", "x"):
        guessed = _start(BOB, run=guess)
        assert "okapi" not in _everything(guessed)
        assert shows(guessed, "This link shows nothing")

    # Stopping the share closes the link again.
    alice = _start(ALICE, page="ui/pages/shared.py")
    alice.button(key=f"unshare_run_{run_id}").click().run()
    bob = _start(BOB, run=run_id)
    assert "zebra" not in _everything(bob)


@pytest.fixture
def app_log() -> Iterator[list[logging.LogRecord]]:
    """What the app logs while a test runs, Streamlit's own report of an uncaught exception
    included (its loggers do not pass records up to the root)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep(level=logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("", "streamlit.error_util")]
    for logger in loggers:
        logger.addHandler(keep)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(keep)


@pytest.mark.parametrize(
    "link", ["²", "١٢", "99999999999999999999999", "2147483648", "0", "-1", "1e3", " 1", "0x1"]
)
def test_a_run_link_that_is_no_run_number_shows_the_sentence_and_logs_no_traceback(
    team: dict[str, int], link: str, app_log: list[logging.LogRecord]
):
    bob = _start(BOB, run=link)
    assert shows(bob, "This link shows nothing: the run is not shared with the team")
    assert "zebra" not in _everything(bob)
    assert not [record for record in app_log if record.exc_info or record.levelno >= logging.ERROR]


def test_a_batch_link_works_for_the_team_once_shared(team: dict[str, int]):
    bob = _start(BOB, batch="alice-batch")
    assert shows(bob, "This link shows nothing: the batch is not shared")
    with HistoryStore() as store:
        assert TeamRecords(store).share(ALICE_WS, "batch", "alice-batch")
    bob = _start(BOB, batch="alice-batch")
    # Saved without a batch record (as before batches had one): named by its id alone.
    assert texts_of(bob.subheader) == ["Batch alice-batch"]
    dump = _everything(bob)
    assert "item 0" in dump
    assert "item 1" in dump
    assert "zebra" not in dump


def _seed_usage() -> None:
    today = datetime.now(UTC)
    with HistoryStore() as store:
        records = TeamRecords(store)
        records.record_person(ALICE_WS, "alice@team.example", "alice")
        records.record_person(BOB_WS, "bob@team.example", "bob")
        for who, model, tokens in ((ALICE_WS, LLAMA, 120), (BOB_WS, QWEN, 30), (ALICE_WS, QWEN, 5)):
            records.record(
                AuditEvent(created_at=today, event="answer", workspace=who, model=model,
                           prompt_tokens=tokens, completion_tokens=0, key="team")
            )  # fmt: skip


def test_an_admin_sees_everyones_usage_and_no_prompt(team: dict[str, int]):
    _seed_usage()
    lead = _start(LEAD, page="ui/pages/admin.py")
    assert [title.value for title in lead.title] == ["Usage"]
    table = next(frame.value for frame in lead.dataframe if "person" in frame.value.columns)
    rows = {(row["person"], row["model"], row["tokens"]) for _, row in table.iterrows()}
    assert rows == {
        ("alice@team.example", LLAMA, 120),
        ("alice@team.example", QWEN, 5),
        ("bob@team.example", QWEN, 30),
    }
    assert "zebra" not in _everything(lead)
    assert "okapi" not in _everything(lead)


def test_only_admins_get_the_usage_page(team: dict[str, int]):
    _seed_usage()
    alice = _start(ALICE)
    # The page is not in her navigation at all: no address opens it.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        alice.switch_page("ui/pages/admin.py")
    assert "bob@team.example" not in _everything(alice)


def test_sign_ins_and_denials_go_to_the_audit_trail_once_per_session(team: dict[str, int]):
    from vision.team.reports import audit_csv

    alice = _start(ALICE)
    alice.run()  # a rerun is not a second sign-in
    _start(_user("mallory@elsewhere.example", "m-3"))
    with HistoryStore() as store:
        events = TeamRecords(store).events()
    assert [(event.event, event.email) for event in reversed(events)] == [
        ("sign_in", "alice@team.example"),
        ("denied", "mallory@elsewhere.example"),
    ]
    exported = audit_csv(events)
    assert exported.splitlines()[0].startswith("id,created_at,event,workspace,email,model")
    assert "mallory@elsewhere.example" in exported
    assert "zebra" not in exported
    assert "okapi" not in exported


def _history_of(user: dict[str, object], run_id: int) -> AppTest:
    """The History page of this person, with this run shown in full."""
    at = _start(user, page="ui/pages/history.py")
    at.selectbox(key="history_run").set_value(run_id).run()
    assert not at.exception
    return at


def test_alice_shares_a_run_from_history_and_bob_opens_the_link_until_she_stops(
    team: dict[str, int],
):
    run_id = team["shared"]
    bob = _start(BOB, run=str(run_id))
    assert shows(bob, "This link shows nothing: the run is not shared with the team")
    assert "zebra" not in _everything(bob)

    alice = _history_of(ALICE, run_id)
    alice.button(key=f"history_run_{run_id}_share").click().run()
    assert not alice.exception
    assert [block.value for block in alice.code] == [f"/?run={run_id}"]
    assert shows(alice, "Shared: anyone signed in to this app can open this run with the link.")

    bob = _start(BOB, run=str(run_id))
    assert "alice shares this zebra" in _everything(bob)
    assert shows(bob, "Shared by alice@team.example.")
    assert "okapi" not in _everything(bob)

    # The History page offers the way back, and the link closes again.
    alice = _history_of(ALICE, run_id)
    alice.button(key=f"history_run_{run_id}_unshare").click().run()
    assert not alice.exception
    assert not alice.code
    assert alice.button(key=f"history_run_{run_id}_share").label == "Share this run with the team"
    bob = _start(BOB, run=str(run_id))
    assert shows(bob, "This link shows nothing: the run is not shared with the team")
    assert "zebra" not in _everything(bob)
    with HistoryStore() as store:
        events = TeamRecords(store).events()
    assert [(event.event, event.run_id) for event in events if "share" in event.event] == [
        ("unshare", run_id),
        ("share", run_id),
    ]


def test_a_batch_is_shared_from_the_batch_pages_results(team: dict[str, int]):
    alice = _start(ALICE, page="ui/pages/batch.py")
    photos = [(f"{name}.png", make_image("PNG", (40, 40)), "image/png") for name in ("a", "b")]
    alice.file_uploader(key="batch_images").set_value(photos).run()
    alice.button(key="batch_run").click().run()
    live = alice.session_state["batch"]
    assert live.wait(TIMEOUT_S), "the batch did not finish"
    alice.run()
    assert not alice.exception
    batch_id = live.view().batch_id

    with HistoryStore(workspace=ALICE_WS) as store:
        (kept,) = store.kept_batches(1, ids=[batch_id])
    title = batch_title(kept)
    assert "“What is in this image?”" in title

    bob = _start(BOB, batch=batch_id)
    assert shows(bob, "This link shows nothing: the batch is not shared")
    assert "What is in this image" not in _everything(bob)  # not even the batch's name

    alice.button(key="batch_results_share").click().run()
    assert not alice.exception
    assert [block.value for block in alice.code] == [f"/?batch={batch_id}"]
    bob = _start(BOB, batch=batch_id)
    # Named as the Batch page names it (when, what, which models), with its id beside it.
    assert texts_of(bob.subheader) == [title]
    answers = len(live.view().ordered_runs())
    assert shows(bob, f"Shared by alice@team.example · {answers} answers · batch `{batch_id}`")
    assert {"a.png", "b.png"} <= set(_everything(bob).split())

    alice.button(key="batch_results_unshare").click().run()
    assert not alice.code
    bob = _start(BOB, batch=batch_id)
    assert shows(bob, "This link shows nothing: the batch is not shared")


def test_alice_shares_an_answer_from_the_playground_and_bob_opens_it(team: dict[str, int]):
    from tests.support.playground_page import send, upload

    alice = _start(ALICE)
    upload(alice, ("harbour.png", make_image("PNG", (64, 64)), "image/png"))
    alice.text_area(key="prompt").set_value("capybara question from alice").run()
    send(alice)
    with HistoryStore() as store:
        mine = [
            run.id for run in store.for_workspace(ALICE_WS).search_runs(RunFilter(text="capybara"))
        ]
    assert len(mine) == 2  # one answer per model, both saved
    for run_id in mine:
        assert shows(_start(BOB, run=str(run_id)), "This link shows nothing: the run is not shared")

    shared = mine[0]
    alice.button(key=f"playground_run_{shared}_share").click().run()
    assert not alice.exception
    assert [block.value for block in alice.code if block.value.startswith("/?")] == [
        f"/?run={shared}"
    ]
    bob = _start(BOB, run=str(shared))
    assert "capybara question from alice" in _everything(bob)
    assert shows(bob, "Shared by alice@team.example.")

    alice.button(key=f"playground_run_{shared}_unshare").click().run()
    assert not alice.exception
    bob = _start(BOB, run=str(shared))
    assert shows(bob, "This link shows nothing: the run is not shared")
    assert "capybara" not in _everything(bob)


def test_in_single_user_mode_no_page_offers_to_share(
    echo: EchoServer, history_file: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    with HistoryStore(history_file) as store:
        store.save_run(Run(prompt="my own zebra", model=LLAMA, answer="z1"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.secrets["app"] = {"note": "no key here"}  # isolate from a developer's secrets.toml
    at.run()
    at.switch_page("ui/pages/history.py").run()
    assert not at.exception
    assert shows(at, "my own zebra")
    assert not [button for button in at.button if "Share" in button.label]
    assert not at.code

    at.switch_page("ui/pages/batch.py").run()
    at.file_uploader(key="batch_images").set_value(
        [("a.png", make_image("PNG", (40, 40)), "image/png")]
    ).run()
    at.button(key="batch_run").click().run()
    assert at.session_state["batch"].wait(TIMEOUT_S), "the batch did not finish"
    at.run()
    assert not at.exception
    assert at.dataframe  # the results grid is there, and nothing to share it with
    assert not [button for button in at.button if "Share" in button.label]
    assert not at.code
