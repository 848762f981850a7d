"""A queued batch run by `vision worker` processes keeps the team's rules, on a real PostgreSQL:
every request is in the audit trail under its owner's address, and a request that would pass
the owner's daily budget is never sent: its item says why with the numbers and is asked when
the batch is resumed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.batch.items.uploads import Upload, page_items
from vision.batch.queue.submit import QueuedBatch
from vision.batch.recorded.spec import kept_spec
from vision.cli.main import main
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.team.records import TeamRecords
from vision.team.reports import audit_csv
from vision.values.request import RequestOptions

REPO = Path(__file__).resolve().parents[2]
ALICE = "alice@team.example"
WORKSPACE = "ws-alice"
BUDGET = 300
NOT_SENT = re.compile(
    rf"Not sent: this needs about (\d+) tokens, but only (\d+) of your {BUDGET} daily tokens "
    r"are left \((\d+) used\)"
)


def queue(url: str, items: int, models: list[str], *, concurrency: int = 1) -> str:
    """Alice's batch queued as the Batch page queues it in team mode; its id."""
    with HistoryStore(url=url, workspace=WORKSPACE) as store:
        TeamRecords(store).record_person(WORKSPACE, ALICE, "Alice")
        batch = QueuedBatch.queue(
            store,
            page_items(
                prompt="What?",
                uploads=[
                    Upload(name=f"{i}.png", data=make_image("PNG", (64 + i, 48)))
                    for i in range(items)
                ],
            ),
            models,
            concurrency=concurrency,
            options=RequestOptions(max_tokens=40),
        )
        return batch.batch_id


def work(echo: EchoServer, url: str, **env: str) -> str:
    """One `vision worker --until-idle` process until the queue is empty; its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "vision", "worker", "--until-idle", "--poll", "0.2"],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("VISION_DAILY_")},
            "IOINTELLIGENCE_API_KEY": ECHO_API_KEY,
            "IOINTELLIGENCE_BASE_URL": echo.base_url,
            "VISION_DATABASE_URL": url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_worker_batch_is_in_the_audit_export_under_its_owners_address(team_db):
    batch_id = queue(team_db, 3, [QWEN, LLAMA])
    with EchoServer(api_key=ECHO_API_KEY) as echo:
        work(echo, team_db)
        sent = len(echo.chat_requests)
    with HistoryStore(url=team_db, workspace=WORKSPACE) as store:
        runs = {run.id: run for run in store.batch_runs(batch_id, images=False)}
        events = [e for e in TeamRecords(store).events() if e.batch_id == batch_id]
        exported = audit_csv(events)
    assert sent == len(runs) == 6
    assert sorted(e.run_id for e in events) == sorted(runs)
    for event in events:
        assert (event.event, event.email, event.workspace, event.key) == (
            "answer", ALICE, WORKSPACE, "team"
        )  # fmt: skip
        assert event.model == runs[event.run_id].model
        assert event.prompt_tokens == runs[event.run_id].usage.prompt_tokens > 0
        assert event.images == 1
    lines = [line for line in exported.splitlines()[1:] if batch_id in line]
    assert len(lines) == 6
    assert all(ALICE in line and ",answer," in line for line in lines)
    assert "What?" not in exported  # metadata only: never the prompt


def test_a_worker_batch_over_the_budget_sends_nothing_past_it_and_resumes_later(team_db):
    items = 12
    # Three at once: the worker counts its requests the audit trail does not show yet.
    batch_id = queue(team_db, items, [QWEN], concurrency=3)
    with EchoServer(api_key=ECHO_API_KEY) as echo:
        work(echo, team_db, VISION_DAILY_TOKENS_PER_PERSON=str(BUDGET))
        sent = len(echo.chat_requests)
        with HistoryStore(url=team_db, workspace=WORKSPACE) as store:
            runs = store.batch_runs(batch_id, images=False)
            events = [e for e in TeamRecords(store).events() if e.batch_id == batch_id]
            answered = [run for run in runs if not run.failed]
            held = [run for run in runs if run.failed]
            assert 0 < sent < items
            assert len(answered) == sent
            assert len(held) == items - sent
            used = sum(run.usage.total_tokens or 0 for run in answered)
            assert used <= BUDGET
            for run in held:
                assert run.not_sent
                numbers = NOT_SENT.match(run.error)
                assert numbers, run.error
                need, left, counted = (int(value) for value in numbers.groups())
                assert need > left
                assert left + counted == BUDGET
            assert sorted(e.event for e in events) == ["answer"] * sent + ["stopped"] * len(held)
            assert {e.email for e in events} == {ALICE}
            # Not answered, and still to ask: Resume queues the batch for the workers again.
            queued = QueuedBatch.reopen(store, batch_id)
            assert not queued.running
            assert queued.missing() == items - sent
            queued.resume()
            assert queued.running

        work(echo, team_db)  # the budget is raised (unset): the rest is asked, once each
        assert len(echo.chat_requests) == items
    with HistoryStore(url=team_db, workspace=WORKSPACE) as store:
        runs = store.batch_runs(batch_id, images=False)
        answered_items = {run.item_index for run in runs if not run.failed}
        assert answered_items == set(range(items))
        assert QueuedBatch.reopen(store, batch_id).missing() == 0


def test_a_batch_asked_on_the_echo_is_never_run_by_a_worker_on_the_teams_key(
    team_db, capsys, monkeypatch
):
    items = page_items(
        prompt="What?", uploads=[Upload(name="a.png", data=make_image("PNG", (64, 48)))]
    )
    with HistoryStore(url=team_db) as store:  # the workspace `vision eval` opens
        spec = kept_spec(store, items, [QWEN], concurrency=1, options=RequestOptions())
        store.save_batch("on-echo", replace(spec, key_kind="echo").to_json(), state="done")
    # Queued again from a shell: refused before anything is queued.
    monkeypatch.setenv("VISION_DATABASE_URL", team_db)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    assert main(["eval", "--resume", "on-echo", "--queue"]) == 1
    assert "was asked on the echo backend" in capsys.readouterr().err
    with HistoryStore(url=team_db) as store:
        assert store.unfinished_chunks() == 0
        store.enqueue_chunks("on-echo", 1)  # a queue that names it all the same
    with EchoServer(api_key=ECHO_API_KEY) as echo:
        work(echo, team_db)
        assert echo.chat_requests == []  # the team's key asked nothing
    with HistoryStore(url=team_db) as store:
        (run,) = store.batch_runs("on-echo", images=False)
    assert run.failed
    assert "was asked on the echo backend" in (run.error or "")
