"""Sign-in for real, in Chromium: a loopback OpenID Connect provider, Streamlit's st.login, the
allow-list, and two people whose histories never meet.

The app runs with [auth] and [access] in a secrets file of the test's own; alice and bob are on
the allow-list (by their domain), mallory is not.
"""

from __future__ import annotations

import re
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.apps import auth_section, free_port, run_app, write_secrets
from tests.support.images import make_photo
from tests.support.oidc import CLIENT_ID, OIDCProvider
from vision.echo import EchoServer

pytestmark = pytest.mark.e2e

KEY = "team-key-that-never-reaches-a-browser"
ALICE = "alice@team.example"
BOB = "bob@team.example"
LEAD = "lead@team.example"
MALLORY = "mallory@elsewhere.example"
# On the allow-list by domain, but the provider does not vouch for the address.
CAROL = "carol@team.example"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SIGN_IN_SENTENCE = "Sign in with your team account to use the app."
OUTSIDER_SENTENCE = f"{MALLORY} is not on this app's allow-list; ask the team lead to add you."
NOT_SHARED = "This link shows nothing: the run is not shared with the team"


@dataclass(frozen=True)
class TeamApp:
    url: str
    provider: OIDCProvider
    echo: EchoServer
    history: Path

    def run_ids(self) -> list[int]:
        """Every run id in the app's history file, whoever's."""
        with closing(sqlite3.connect(self.history)) as db:
            return [int(row[0]) for row in db.execute("SELECT id FROM runs ORDER BY id")]


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamApp]:
    """The app behind sign-in, on a SQLite history of its own, talking to the echo."""
    folder = tmp_path_factory.mktemp("team")
    with OIDCProvider() as provider, EchoServer(api_key=KEY) as echo:
        port = free_port()
        secrets = write_secrets(
            folder / "secrets.toml",
            {
                "auth": auth_section(
                    port, provider.metadata_url, CLIENT_ID, provider.client_secret
                ),
                "access": {"allowed": ["@team.example"], "admins": [LEAD]},
            },
        )
        env = {
            "IOINTELLIGENCE_BASE_URL": echo.base_url,
            "IOINTELLIGENCE_API_KEY": KEY,
            "VISION_HISTORY_PATH": str(folder / "history.sqlite3"),
        }
        with run_app(port=port, env=env, secrets=secrets, log_name="sign-in.log") as url:
            yield TeamApp(url=url, provider=provider, echo=echo, history=folder / "history.sqlite3")


def _sign_in(page: Page, app: TeamApp, email: str, path: str = "") -> None:
    page.goto(app.url + path)
    expect(page.get_by_text(SIGN_IN_SENTENCE)).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(app.url)), timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)


# Every message the app sent any test browser over its websocket, and every HTTP body.
RECEIVED: list[bytes] = []


def _listen(page: Page) -> None:
    def frame(payload: str | bytes) -> None:
        RECEIVED.append(payload if isinstance(payload, bytes) else payload.encode())

    page.on("websocket", lambda socket: socket.on("framereceived", frame))
    page.on("response", lambda response: RECEIVED.append(_body_of(response)))


def _body_of(response: Any) -> bytes:
    try:
        return bytes(response.body())
    except Exception:  # a redirect or an aborted request has no body
        return b""


def _person(browser: Browser, app: TeamApp, email: str) -> Page:
    """A browser of this person's own (cookies apart from everyone else's), signed in."""
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    # A page load waits on the app server; on a shared 2-core machine that can pass 30 s.
    page.set_default_navigation_timeout(90_000)
    _listen(page)
    _sign_in(page, app, email)
    return page


def _ask(page: Page, prompt: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": make_photo((700, 500))}]
    )
    expect(page.get_by_text("JPEG · 700×500")).to_be_visible(timeout=20_000)
    page.get_by_label("Prompt").fill(prompt)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)


def _history(page: Page, app: TeamApp) -> None:
    page.goto(app.url + "/history")
    page.wait_for_selector(IDLE, timeout=30_000)
    expect(page.get_by_role("heading", name="History")).to_be_visible()


def _body(page: Page) -> str:
    return page.get_by_test_id("stApp").inner_text()


def _main(page: Page) -> str:
    return page.get_by_test_id("stMain").inner_text().strip()


def test_an_unsigned_visitor_gets_the_sign_in_button_and_nothing_else(
    browser: Browser, team_app: TeamApp
):
    page = browser.new_context().new_page()
    for path in ("", "/playground", "/history", "/batch", "/?run=1", "/history?batch=x"):
        page.goto(team_app.url + path)
        expect(page.get_by_text(SIGN_IN_SENTENCE)).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE, timeout=30_000)
        text = _body(page)
        for inside in ("Prompt", "History", "Batch evaluation", "Connection", "Export"):
            assert inside not in text, (path, inside)
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
        expect(page.get_by_test_id("stDownloadButton")).to_have_count(0)
    assert KEY not in page.content()


def test_an_outsider_sees_one_sentence_and_sign_out_and_nothing_else(
    browser: Browser, team_app: TeamApp
):
    page = browser.new_context().new_page()
    _sign_in(page, team_app, MALLORY)
    expect(page.get_by_text(f"{MALLORY} is not on this app's allow-list")).to_be_visible()
    # The sentence, and one button (Sign out): nothing else on the page.
    only_button = page.get_by_test_id("stMain").get_by_role("button")
    expect(only_button).to_have_count(1)
    expect(only_button).to_have_accessible_name(re.compile(r"Sign out$"))
    rest = _main(page).replace(only_button.inner_text(), "").strip()
    assert rest == OUTSIDER_SENTENCE, rest
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    for path in ("/history", "/batch", "/?run=1"):
        page.goto(team_app.url + path)
        page.wait_for_selector(IDLE, timeout=30_000)
        expect(page.get_by_text("is not on this app's allow-list")).to_be_visible()
        assert "Prompt" not in _body(page)
    assert team_app.provider.sign_ins[-1] == MALLORY


def test_two_people_never_see_each_others_runs_and_sign_out_works(
    browser: Browser, team_app: TeamApp
):
    alice = _person(browser, team_app, ALICE)
    expect(alice.get_by_text(f"Signed in as Alice ({ALICE})")).to_be_visible()
    _ask(alice, "zebra crossing question from alice")
    _history(alice, team_app)
    expect(alice.get_by_text("zebra crossing question from alice").first).to_be_visible()
    run_ids = team_app.run_ids()
    assert len(run_ids) == 2  # alice's two answers, one per model

    bob = _person(browser, team_app, BOB)
    _history(bob, team_app)
    expect(bob.get_by_text("No saved answers yet.")).to_be_visible()
    assert "zebra" not in _body(bob)
    # Bob asks his own question: his history and its export hold only his runs.
    bob.goto(team_app.url)
    bob.wait_for_selector(IDLE, timeout=30_000)
    _ask(bob, "giraffe question from bob")
    _history(bob, team_app)
    # The history grid draws its cells once its data arrives: on a busy machine that takes a while.
    expect(bob.get_by_text("giraffe question from bob").first).to_be_visible(timeout=30_000)
    assert "zebra" not in _body(bob)
    bob.get_by_text(re.compile(r"Export these \d+ answer")).click()
    with bob.expect_download() as download:
        bob.get_by_role("button", name="JSON").first.click()
    exported = Path(download.value.path()).read_text()
    # The file's address answers bob's browser, and nobody without his sign-in cookie.
    file_url = download.value.url
    assert bob.context.request.get(file_url).status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(file_url, timeout=5)
    assert refused.value.code == 403
    assert b"giraffe" not in refused.value.read()
    assert "giraffe question from bob" in exported
    assert "zebra" not in exported
    assert KEY not in exported
    # A search, and a guessed run id in the address, find nothing of alice's.
    bob.get_by_role("textbox", name="Search").fill("zebra")
    bob.get_by_role("textbox", name="Search").press("Enter")
    expect(bob.get_by_text("No saved answers match.")).to_be_visible()
    for run_id in run_ids:
        bob.goto(f"{team_app.url}/?run={run_id}")
        bob.wait_for_selector(IDLE, timeout=30_000)
        assert "zebra" not in _body(bob)
    # Alice, in turn, sees nothing of bob's.
    _history(alice, team_app)
    assert "giraffe" not in _body(alice)
    assert KEY not in alice.content()
    assert KEY not in bob.content()

    # Sign out: back to the sign-in screen, and a reload does not bring the session back.
    alice.get_by_test_id("stExpandSidebarButton").click()
    alice.get_by_role("button", name="Sign out").click()
    expect(alice.get_by_text(SIGN_IN_SENTENCE)).to_be_visible(timeout=30_000)
    alice.goto(team_app.url + "/history")
    expect(alice.get_by_text(SIGN_IN_SENTENCE)).to_be_visible(timeout=30_000)
    assert "zebra" not in _body(alice)
    # The team's key never reached either browser, in any message or response.
    assert RECEIVED
    assert not [chunk for chunk in RECEIVED if KEY.encode() in chunk]


def test_the_health_check_answers_without_signing_in(team_app: TeamApp):
    with urllib.request.urlopen(f"{team_app.url}/_stcore/health", timeout=5) as response:
        assert response.read() == b"ok"


def test_the_servers_metrics_answer_only_people_on_the_allow_list(
    browser: Browser, team_app: TeamApp
):
    metrics = f"{team_app.url}/_stcore/metrics"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(metrics, timeout=5)
    assert refused.value.code == 403
    assert refused.value.read() == (
        b"Sign in to the app first: this address answers only people signed in to it."
    )
    outsider = browser.new_context().new_page()
    _sign_in(outsider, team_app, MALLORY)
    assert outsider.context.request.get(metrics).status == 403
    alice = _person(browser, team_app, ALICE)
    answer = alice.context.request.get(metrics)
    assert answer.status == 200
    assert b"session" in answer.body()


@pytest.mark.parametrize("claim", [None, False, "true"], ids=["absent", "false", "string"])
def test_someone_whose_provider_does_not_vouch_for_their_address_gets_one_sentence(
    browser: Browser, team_app: TeamApp, claim: object
):
    team_app.provider.email_verified[CAROL] = claim
    page = browser.new_context().new_page()
    _sign_in(page, team_app, CAROL)
    sentence = (
        f"{CAROL} is not verified by your sign-in provider, so this app cannot let you in by it; "
        "verify it there and sign in again, or ask the team lead to add your sign-in identity "
        f"{team_app.provider.issuer}|{team_app.provider.subject(CAROL)}."
    )
    expect(page.get_by_text(sentence)).to_be_visible()
    only_button = page.get_by_test_id("stMain").get_by_role("button")
    expect(only_button).to_have_count(1)
    assert _main(page).replace(only_button.inner_text(), "").strip() == sentence
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    assert "Prompt" not in _body(page)
    metrics = page.context.request.get(f"{team_app.url}/_stcore/metrics")
    assert metrics.status == 403


def test_an_outsider_signs_out_and_signs_in_with_an_allowed_account(
    browser: Browser, team_app: TeamApp
):
    page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
    page.set_default_navigation_timeout(90_000)
    _sign_in(page, team_app, MALLORY)
    expect(page.get_by_text(OUTSIDER_SENTENCE)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text(SIGN_IN_SENTENCE)).to_be_visible(timeout=30_000)
    assert "allow-list" not in _body(page)
    # The provider asks who is signing in again: this time someone on the allow-list.
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("E-mail").fill(BOB)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(team_app.url)), timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(page.get_by_text(f"Signed in as Bob ({BOB})")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Prompt")).to_be_visible()
    assert "allow-list" not in _body(page)
    assert team_app.provider.sign_ins[-2:] == [MALLORY, BOB]


def _shared_run(page: Page, link: str) -> str:
    page.goto(link)
    page.wait_for_selector(IDLE, timeout=30_000)
    return _main(page)


def test_a_run_shared_from_history_opens_for_a_team_member_until_it_is_unshared(
    browser: Browser, team_app: TeamApp
):
    before = set(team_app.run_ids())
    alice = _person(browser, team_app, ALICE)
    _ask(alice, "okapi question alice shares from history")
    mine = sorted(set(team_app.run_ids()) - before)
    assert len(mine) == 2
    bob = _person(browser, team_app, BOB)
    for run_id in mine:
        text = _shared_run(bob, f"{team_app.url}/?run={run_id}")
        assert NOT_SHARED in text, text
        assert "okapi" not in text

    # Alice shares the run History shows in full, and copies the link it gives.
    _history(alice, team_app)
    alice.get_by_role("button", name="Share this run with the team").click()
    code = alice.get_by_test_id("stCode")
    expect(code).to_have_count(1, timeout=30_000)
    link = code.inner_text().strip()
    assert re.fullmatch(re.escape(team_app.url) + r"/\?run=(\d+)", link), link
    assert int(link.rsplit("=", 1)[1]) in mine

    text = _shared_run(bob, link)
    assert "okapi question alice shares from history" in text, text
    assert f"Shared by {ALICE}." in text
    # Someone who has not signed in gets the sign-in screen at that address, nothing of the run.
    stranger = browser.new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_text(SIGN_IN_SENTENCE)).to_be_visible(timeout=30_000)
    stranger.wait_for_selector(IDLE, timeout=30_000)
    assert "okapi" not in _body(stranger)
    assert "okapi" not in stranger.content()

    alice.get_by_role("button", name="Stop sharing").click()
    expect(alice.get_by_role("button", name="Share this run with the team")).to_be_visible(
        timeout=30_000
    )
    expect(alice.get_by_test_id("stCode")).to_have_count(0)
    text = _shared_run(bob, link)
    assert NOT_SHARED in text, text
    assert "okapi" not in text
