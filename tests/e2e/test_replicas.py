"""Two app processes on different ports sharing one PostgreSQL database behave as one app: what
alice does through one replica is in the other's pages at once, a vote is kept once, and the
budget counts what both replicas sent. Each replica signs in through the same loopback provider
with the same cookie secret, as behind a load balancer (deploy/README.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_sign_in import IDLE, _ask, _sign_in
from tests.support.apps import auth_section, free_port, run_app, write_secrets
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.oidc import CLIENT_ID, OIDCProvider
from tests.support.postgres import PostgresServer
from tests.support.stores import HistoryDatabase
from vision.echo import EchoServer, Fault

pytestmark = pytest.mark.e2e

KEY = "replica-team-key"
ALICE = "alice@team.example"
BUDGET = 1_000_000
# Llama's answers are held back this long, so the batch is mid-way while replica B looks at it.
HOLD_S = 60.0

# The Batch page's Images uploader: the one that takes several files (the CSV one takes one).
BATCH_IMAGES = "[data-testid='stFileUploaderDropzoneInput'][multiple] >> nth=0"


@dataclass(frozen=True)
class Replicas:
    a: str
    b: str
    database: HistoryDatabase
    echo: EchoServer


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[Replicas]:
    folder = tmp_path_factory.mktemp("replicas")
    name = postgres_server.create_database()
    url = postgres_server.url(name)
    try:
        with OIDCProvider() as provider, EchoServer(api_key=KEY) as echo:
            env = {
                "IOINTELLIGENCE_BASE_URL": echo.base_url,
                "IOINTELLIGENCE_API_KEY": KEY,
                "VISION_DATABASE_URL": url,
                "VISION_DAILY_TOKENS_PER_PERSON": str(BUDGET),
            }
            ports = (free_port(), free_port())
            secrets = [
                write_secrets(
                    folder / f"secrets-{port}.toml",
                    {
                        "auth": auth_section(
                            port, provider.metadata_url, CLIENT_ID, provider.client_secret
                        ),
                        "access": {"allowed": ["@team.example"]},
                    },
                )
                for port in ports
            ]
            with (
                run_app(port=ports[0], env=env, secrets=secrets[0], log_name="replica-a.log") as a,
                run_app(port=ports[1], env=env, secrets=secrets[1], log_name="replica-b.log") as b,
            ):
                yield Replicas(a=a, b=b, database=HistoryDatabase("postgresql", url), echo=echo)
    finally:
        postgres_server.drop_database(name)


def _signed_in(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1440, "height": 1300}).new_page()
    app = type("App", (), {"url": url})()
    _sign_in(page, app, ALICE)  # type: ignore[arg-type]
    return page


def _left(page: Page) -> int:
    text = page.get_by_text(re.compile(r"your daily tokens: [\d,]+ of")).inner_text()
    found = re.search(r"your daily tokens: ([\d,]+) of", text)
    assert found, text
    return int(found.group(1).replace(",", ""))


def test_a_run_saved_through_one_replica_is_in_the_others_history_at_once(
    browser: Browser, replicas: Replicas
):
    on_a = _signed_in(browser, replicas.a)
    on_b = _signed_in(browser, replicas.b)
    assert _left(on_b) == BUDGET
    _ask(on_a, "okapi question asked through replica A")

    on_b.goto(replicas.b + "/history")
    on_b.wait_for_selector(IDLE, timeout=30_000)
    expect(on_b.get_by_text("okapi question asked through replica A").first).to_be_visible()

    # The budget on B counts what A sent (the API's usage, recorded in the shared store).
    on_b.goto(replicas.b)
    on_b.wait_for_selector(IDLE, timeout=30_000)
    used = replicas.database.rows(
        "SELECT SUM(prompt_tokens + completion_tokens) FROM audit_events "
        "WHERE event = 'answer' AND key = 'team'"
    )[0][0]
    assert used > 0
    assert _left(on_b) == BUDGET - used


def test_a_batch_on_one_replica_shows_on_the_other_and_its_vote_is_kept_once(
    browser: Browser, replicas: Replicas
):
    on_a = _signed_in(browser, replicas.a)
    on_a.goto(replicas.a + "/batch")
    on_a.wait_for_selector(IDLE, timeout=30_000)
    on_a.locator(BATCH_IMAGES).set_input_files(
        files=[{"name": "tapir.png", "mimeType": "image/png", "buffer": make_image("PNG")}]
    )
    expect(on_a.get_by_text("1 image × 2 models = 2 requests")).to_be_visible(timeout=20_000)
    on_a.get_by_role("button", name="Run batch").click()
    expect(on_a.get_by_text(re.compile(r"2 answered"))).to_be_visible(timeout=60_000)
    batch_id = re.search(r"answered · batch (\w+)", on_a.get_by_test_id("stMain").inner_text())
    assert batch_id, on_a.get_by_test_id("stMain").inner_text()
    on_a.get_by_role("tab", name="Blind vote").click()
    on_a.get_by_role("button", name="A is better").click()
    expect(on_a.get_by_text(re.compile(r"1 vote\(s\)"))).to_be_visible(timeout=20_000)

    # Replica B: alice's batch, opened by its link, and in her History.
    on_b = _signed_in(browser, replicas.b)
    on_b.goto(f"{replicas.b}/?batch={batch_id.group(1)}")
    on_b.wait_for_selector(IDLE, timeout=30_000)
    # Named as the Batch page names it, its id beside it.
    expect(on_b.get_by_text("“What is in this image?”")).to_be_visible()
    expect(on_b.get_by_text(f"2 answers · batch {batch_id.group(1)}")).to_be_visible()
    # One vote in the shared database, whichever replica reads it.
    votes = replicas.database.rows("SELECT COUNT(*), MIN(batch_id) FROM votes")
    assert votes == [(1, batch_id.group(1).strip("`"))]


def test_a_batch_running_on_one_replica_shows_its_progress_on_the_other_as_it_goes(
    browser: Browser, replicas: Replicas
):
    on_b = _signed_in(browser, replicas.b)
    on_a = _signed_in(browser, replicas.a)
    on_a.goto(replicas.a + "/batch")
    on_a.wait_for_selector(IDLE, timeout=30_000)
    on_a.locator(BATCH_IMAGES).set_input_files(
        files=[
            {"name": f"okapi-{index}.png", "mimeType": "image/png",
             "buffer": make_image("PNG", (90 + index, 60))}
            for index in range(2)
        ]
    )  # fmt: skip
    expect(on_a.get_by_text("2 images × 2 models = 4 requests")).to_be_visible(timeout=20_000)
    # Qwen answers one image and fails the other at once; Llama's two answers are held back.
    replicas.echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=1))
    replicas.echo.add_fault(Fault(kind="hang", seconds=HOLD_S, model=LLAMA, times=2))
    try:
        on_a.get_by_role("button", name="Run batch").click()

        # Replica B, the same person: the running batch, mid-way, from the shared store.
        on_b.goto(replicas.b + "/batch")
        main = on_b.get_by_test_id("stMain")
        expect(main.get_by_text(re.compile(r"2 of 4 answers · 1 failed"))).to_be_visible(
            timeout=45_000
        )
        expect(main.get_by_text("Qwen2-VL-7B-Instruct: 1 of 2 answered · 1 failed")).to_be_visible()
        expect(main.get_by_text("Llama-3.2-90B-Vision-Instruct: 0 of 2 answered")).to_be_visible()
        expect(
            main.get_by_text(re.compile(r"Qwen2-VL-7B-Instruct · okapi-\d\.png: .*400"))
        ).to_be_visible()

        # When A's batch ends, B's page shows its results by itself (no reload).
        expect(main.get_by_text(re.compile(r"3 answered · 1 failed"))).to_be_visible(
            timeout=(HOLD_S + 60) * 1000
        )
        expect(main.get_by_text(re.compile(r"of 4 answers"))).to_have_count(0)
    finally:
        replicas.echo.clear_faults()
