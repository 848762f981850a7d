"""Every page behind the sign-in gate, through AppTest: what an unsigned visitor, an outsider and
two signed-in people each get. (tests/e2e/test_sign_in.py signs in for real in Chromium.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ECHO_API_KEY
from tests.support.models import LLAMA, QWEN
from tests.support.pages import APP, TIMEOUT_S, page_dump, shows, texts_of
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.team.access import workspace_for
from vision.values.run import Run, Vote

ISSUER = "https://id.team.example"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-cookie-secret-for-the-page-tests",
    "client_id": "vision",
    "client_secret": "secret",
    "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration",
}
ACCESS = {"allowed": ["@team.example"], "admins": ["lead@team.example"]}
PAGES = ("ui/pages/playground.py", "ui/pages/history.py", "ui/pages/batch.py")


def _user(email: str, sub: str) -> dict[str, Any]:
    """A signed-in person as Streamlit keeps their ID token's claims (the address verified)."""
    return {"is_logged_in": True, "email": email, "email_verified": True,
            "name": email.split("@")[0], "sub": sub, "iss": ISSUER}  # fmt: skip


ALICE = _user("alice@team.example", "alice-1")
BOB = _user("bob@team.example", "bob-2")


@pytest.fixture
def team(echo: EchoServer, monkeypatch: pytest.MonkeyPatch, history_file: Path) -> Path:
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    alice = HistoryStore(history_file, workspace=workspace_for(ISSUER, "alice-1"))
    with alice:
        first = alice.save_run(
            Run(prompt="alice's zebra question", model=LLAMA, answer="zebra answer",
                batch_id="alice-batch", kind="batch_item", item_index=0, item_name="zebra.jpg")
        )  # fmt: skip
        second = alice.save_run(
            Run(prompt="alice's zebra question", model=QWEN, answer="another zebra answer",
                batch_id="alice-batch", kind="batch_item", item_index=0, item_name="zebra.jpg")
        )  # fmt: skip
        alice.save_vote(
            Vote(model_a=LLAMA, model_b=QWEN, choice="a", batch_id="alice-batch",
                 run_a_id=first.id, run_b_id=second.id)
        )  # fmt: skip
    return history_file


def _everything(at: AppTest) -> str:
    """What the page sent to the browser, tables included (their cells are not in the dump)."""
    tables = [frame.value.to_string() for frame in at.dataframe]
    return "\n".join([page_dump(at), *tables])


def _start(user: dict[str, Any] | None, *, auth: bool = True, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if auth:
        at.secrets["auth"] = AUTH
        at.secrets["access"] = ACCESS
    at.user = user if user is not None else {"is_logged_in": False}
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


def test_without_auth_the_app_is_single_user_and_the_sidebar_says_so(team: Path):
    at = _start({}, auth=False)
    assert shows(at, "Single-user mode: no sign-in is configured")
    assert at.button(key="send") is not None
    assert not [button for button in at.button if button.label == "Sign out"]


@pytest.mark.parametrize("page", PAGES)
def test_an_unsigned_visitor_gets_only_the_sign_in_button_on_every_page(team: Path, page: str):
    at = _start(None)
    at.switch_page(page).run()
    assert not at.exception
    assert [button.label for button in at.button] == ["Sign in"]
    assert shows(at, "Sign in with your team account to use the app.")
    dump = page_dump(at)
    for inside in ("zebra", "Prompt", "Batch evaluation", "Connection", "download"):
        assert inside not in dump, inside
    assert not at.sidebar.children or not page_dump(at).count("Signed in")


def test_an_outsider_gets_one_sentence_and_sign_out_on_every_page(team: Path):
    outsider = _user("mallory@elsewhere.example", "m-3")
    for page in PAGES:
        at = _start(outsider)
        at.switch_page(page).run()
        assert texts_of(at.error) == [
            "mallory@elsewhere.example is not on this app's allow-list; ask the team lead to "
            "add you."
        ]
        assert [button.label for button in at.button] == ["Sign out"]
        assert not at.sidebar.children
        assert not at.markdown
        assert not at.title
        assert "zebra" not in _everything(at)


def test_an_unverified_address_on_the_list_is_refused_with_a_sentence_on_every_page(team: Path):
    lead = {**_user("lead@team.example", "lead-9"), "email_verified": "true"}
    for page in PAGES:
        at = _start(lead)
        at.switch_page(page).run()
        assert texts_of(at.error) == [
            "lead@team.example is not verified by your sign-in provider, so this app cannot let "
            "you in by it; verify it there and sign in again, or ask the team lead to add your "
            f"sign-in identity {ISSUER}|lead-9."
        ]
        assert [button.label for button in at.button] == ["Sign out"]
        assert not at.sidebar.children
        assert "zebra" not in _everything(at)


def _misconfigured(secrets: dict[str, Any], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for name, section in secrets.items():
        at.secrets[name] = section
    at.user = ALICE
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_auth_misspelt_beside_access_shows_only_the_sentence_saying_so(team: Path, page: str):
    misspelt = {**AUTH, "client_secret": "client-secret-never-shown"}
    at = _misconfigured({"Auth": misspelt, "access": ACCESS}, page)
    assert texts_of(at.error) == [
        "This app is set up for a team ([Auth] is in secrets.toml and [access] is in "
        "secrets.toml) but cannot sign anyone in: secrets.toml has [Auth] but no [auth] "
        "(section names are lower-case); fix .streamlit/secrets.toml as docs/team.md says and "
        "start it again."
    ]
    assert not at.button
    assert not at.sidebar.children
    assert not at.markdown
    assert not at.title
    dump = _everything(at)
    for inside in ("zebra", "Prompt", "Single-user mode", "client-secret-never-shown"):
        assert inside not in dump, inside


def test_the_batch_queue_without_auth_shows_only_the_sentence(
    team: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("VISION_BATCH_QUEUE", "1")
    at = _misconfigured({"app": {"note": "no sign-in here"}})
    assert texts_of(at.error) == [
        "This app is set up for a team (VISION_BATCH_QUEUE is 1) but cannot sign anyone in: "
        "secrets.toml has no [auth] section; fix .streamlit/secrets.toml as docs/team.md says "
        "and start it again."
    ]
    assert not at.button
    assert "Prompt" not in _everything(at)


def test_alice_sees_her_batch_and_bob_sees_none_of_it(team: Path):
    alice = _start(ALICE, page="ui/pages/history.py")
    assert "alice's zebra question" in _everything(alice)
    assert shows(alice, "Signed in as alice (alice@team.example)")

    bob = _start(BOB, page="ui/pages/history.py")
    dump = _everything(bob)
    assert "zebra" not in dump
    assert "alice-batch" not in dump
    assert shows(bob, "No saved answers yet.")
    assert shows(bob, "Signed in as bob (bob@team.example)")
    # His own store view agrees: her batch, votes and runs are not his.
    with HistoryStore(team, workspace=workspace_for(ISSUER, "bob-2")) as store:
        assert store.batch_ids() == []
        assert store.votes() == []
        assert store.get_run(1) is None


def test_a_session_whose_person_changes_sees_the_new_persons_workspace(team: Path):
    at = _start(ALICE, page="ui/pages/history.py")
    assert "zebra" in _everything(at)
    at.user = BOB
    at.run()
    assert not at.exception
    assert "zebra" not in _everything(at)
