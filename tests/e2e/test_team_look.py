"""A team's pages in Chromium, light and dark, at 1440, 1100 and 390 px: the sign-in screen, and
for a signed-in admin the Shared and Usage pages (its chart of tokens per person), each in the
theme's colours with no text cut in the shared parts and none under 4.5:1."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.apps import auth_section, free_port, run_app, write_secrets
from tests.support.look import IDLE, WIDTHS, at_each_width, open_in
from tests.support.oidc import CLIENT_ID, OIDCProvider
from tests.support.schemes import SCHEMES, Scheme
from vision.echo import EchoServer

pytestmark = pytest.mark.e2e

KEY = "team-look-key-that-never-reaches-a-browser"
LEAD = "lead@team.example"
SIGN_IN_SENTENCE = "Sign in with your team account to use the app."


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app behind sign-in (the lead is an admin), on a SQLite history of its own, talking to
    the echo with the team's key."""
    folder = tmp_path_factory.mktemp("team-look")
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
        with run_app(port=port, env=env, secrets=secrets, log_name="team-look.log") as url:
            yield url


def _sign_in_as_the_lead(page: Page, url: str) -> None:
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("E-mail").fill(LEAD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(url)), timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_sign_in_shared_and_usage_pages_read_whole_at_every_width(
    page: Page, team_app: str, scheme: Scheme
) -> None:
    page.set_default_navigation_timeout(90_000)  # a sign-in waits on the app server
    open_in(page, team_app, scheme)
    expect(page.get_by_text(SIGN_IN_SENTENCE)).to_be_visible(timeout=30_000)
    at_each_width(page, scheme, "team-sign-in", sidebar=False)  # no sidebar before sign-in

    _sign_in_as_the_lead(page, team_app)
    page.get_by_role("button", name="Send").click()  # usage with the team's key, to chart
    expect(page.get_by_text(re.compile(r"total tokens"))).to_have_count(2, timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)

    for path, heading in (("usage", "Usage"), ("shared", "Shared")):
        page.goto(f"{team_app}/{path}")
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE, timeout=30_000)
        if path == "usage":
            legend = page.get_by_test_id("stVegaLiteChart").locator("svg text", has_text=LEAD)
            expect(legend).to_have_count(1)  # the chart's text is text, the lead's tokens in it
        at_each_width(page, scheme, f"team-{path}")
