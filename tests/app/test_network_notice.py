"""The page says plainly when the app listens on the network without sign-in: above every page,
and only then (the listening itself is tested in tests/integration/test_listening.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.app.test_sign_in_pages import ACCESS, ALICE, AUTH
from tests.conftest import ECHO_API_KEY
from tests.support.pages import APP, TIMEOUT_S, texts_of
from vision.echo import EchoServer

PAGES = ("ui/pages/playground.py", "ui/pages/history.py", "ui/pages/batch.py")
ON_EVERY_ADDRESS = (
    "Anyone who can reach this computer over the network can use this app, spend its key and "
    "read its History: it listens on every address of this computer and nobody signs in. To "
    "keep it to this computer, start it with `make run` (it listens on 127.0.0.1 only); to serve "
    "a team, set up sign-in (docs/team.md)."
)


@pytest.fixture
def listening_on(
    echo: EchoServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], None]]:
    """Set server.address as `--server.address` would; the repository's value comes back after."""
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


def _open(page: str, *, signed_in: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if signed_in:
        at.secrets["auth"] = AUTH
        at.secrets["access"] = ACCESS
        at.user = ALICE
    else:
        at.secrets["app"] = {"note": "no sign-in here"}
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_warns_when_the_app_listens_on_every_address_without_sign_in(
    listening_on: Callable[[str], None], page: str
):
    listening_on("0.0.0.0")
    at = _open(page)
    assert texts_of(at.warning)[:1] == [ON_EVERY_ADDRESS]


def test_a_network_address_of_this_machine_is_named(listening_on: Callable[[str], None]):
    listening_on("192.0.2.2")
    at = _open("ui/pages/playground.py")
    assert "it listens on 192.0.2.2 and nobody signs in" in texts_of(at.warning)[0]


def test_the_repositorys_loopback_address_or_sign_in_shows_no_notice(
    listening_on: Callable[[str], None],
):
    assert config.get_option("server.address") == "127.0.0.1"  # .streamlit/config.toml
    at = _open("ui/pages/playground.py")
    assert not [text for text in texts_of(at.warning) if "over the network" in text]
    listening_on("0.0.0.0")
    team = _open("ui/pages/playground.py", signed_in=True)
    assert not [text for text in texts_of(team.warning) if "over the network" in text]
