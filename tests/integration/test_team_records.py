"""The team's records on both engines: people, sharing across workspaces only when the owner
shares, and the audit trail that budgets and the admin page read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.stores import HistoryDatabase
from vision.team.records import TeamRecords
from vision.values.audit import AuditEvent, last_days
from vision.values.run import Run

ALICE = "oidc-alice"
BOB = "oidc-bob"


def test_a_run_is_readable_by_another_person_only_while_its_owner_shares_it(
    history_db: HistoryDatabase,
):
    with history_db.open(workspace=ALICE) as alice:
        team = TeamRecords(alice)
        run = alice.save_run(Run(prompt="alice's prompt", model="m", answer="a"))
        other = alice.save_run(Run(prompt="not shared", model="m", answer="b"))
        assert team.shared_run(run.id) is None
        # Bob cannot share alice's run by naming its id.
        assert not team.share(BOB, "run", run.id)
        assert team.shared_run(run.id) is None
        assert team.share(ALICE, "run", run.id)
        owner, seen = team.shared_run(run.id) or ("", None)
        assert owner == ALICE
        assert seen is not None
        assert seen.prompt == "alice's prompt"
        assert team.shared_run(other.id) is None
        assert team.unshare(ALICE, "run", run.id)
        assert team.shared_run(run.id) is None
        # A deleted run is not readable through an old share.
        team.share(ALICE, "run", run.id)
        alice.delete_run(run.id)
        assert team.shared_run(run.id) is None


def test_a_shared_batch_is_found_by_its_id_with_its_owner(history_db: HistoryDatabase):
    with history_db.open(workspace=ALICE) as alice:
        team = TeamRecords(alice)
        bob = alice.for_workspace(BOB)
        for store, prompt in ((alice, "alice item"), (bob, "bob item")):
            store.save_run(Run(prompt=prompt, model="m", batch_id="b1", kind="batch_item"))
        assert team.shared_batches("b1") == []
        assert not team.share(ALICE, "batch", "nope")
        assert team.share(BOB, "batch", "b1")
        found = team.shared_batches("b1")
        assert [(batch.owner, [run.prompt for run in batch.runs]) for batch in found] == [
            (BOB, ["bob item"])
        ]
        # Alice reading the link sees her own batch of that id first, though she does not share it.
        seen = team.shared_batches("b1", viewer=ALICE)
        assert [(batch.owner, [run.prompt for run in batch.runs]) for batch in seen] == [
            (ALICE, ["alice item"]),
            (BOB, ["bob item"]),
        ]
        # Bob's own batch is the shared one: it comes once.
        assert [batch.owner for batch in team.shared_batches("b1", viewer=BOB)] == [BOB]


def test_the_audit_trail_sums_the_team_keys_use_per_day_person_and_model(
    history_db: HistoryDatabase,
):
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    yesterday = now - timedelta(days=1)
    with history_db.open() as store:
        team = TeamRecords(store)
        team.record_person(ALICE, "alice@team.example", "Alice")
        team.record_person(BOB, "bob@team.example", "Bob")
        for when, who, model, tokens, cost, key in (
            (now, ALICE, "m1", (100, 20), 0.5, "team"),
            (now, ALICE, "m1", (10, 2), None, "team"),
            (now, ALICE, "m2", (1, 1), 0.25, "team"),
            (now, BOB, "m1", (1000, 0), 2.0, "own"),  # his own key: not the team's spending
            (yesterday, BOB, "m1", (7, 3), 1.0, "team"),
        ):
            team.record(
                AuditEvent(created_at=when, event="answer", workspace=who, model=model,
                           prompt_tokens=tokens[0], completion_tokens=tokens[1], cost=cost,
                           key=key)
            )  # fmt: skip
        team.record(AuditEvent(created_at=now, event="sign_in", workspace=ALICE))
        today = now.replace(hour=0)
        assert team.spent(since=today, workspace=ALICE).tokens == 134
        assert team.spent(since=today, workspace=ALICE).cost == 0.75
        assert team.spent(since=today).tokens == 134
        assert team.spent(since=yesterday.replace(hour=0)).tokens == 144
        since, until = last_days(2, now=now)
        rows = [
            (row.day, row.email, row.model, row.requests, row.tokens, row.cost)
            for row in team.usage(since=since, until=until)
        ]
        assert rows == [
            ("2026-03-03", "bob@team.example", "m1", 1, 10, 1.0),
            ("2026-03-04", "alice@team.example", "m1", 2, 132, 0.5),
            ("2026-03-04", "alice@team.example", "m2", 1, 2, 0.25),
        ]
        events = team.events(since=today)
        assert {event.event for event in events} == {"sign_in", "answer"}
        assert len(events) == 5
