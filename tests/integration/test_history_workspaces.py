"""Workspaces, on both engines: a store opened for one workspace never returns, changes or
links to another's rows, whatever id, hash, batch or conversation it is given."""

from __future__ import annotations

import pytest

from tests.support.images import make_image
from vision.errors import HistoryError
from vision.history.store import HistoryStore
from vision.values.run import Run, RunFilter, RunImage, Vote

PHOTO = make_image("PNG", (40, 30))


def make_run(**fields: object) -> Run:
    return Run(**{"prompt": "What is in this image?", "model": "m1", **fields})  # type: ignore[arg-type]


@pytest.fixture
def alice(history_db):
    with history_db.open(workspace="alice") as store:
        yield store


@pytest.fixture
def bob(alice):
    return alice.for_workspace("bob")


@pytest.fixture
def alices(alice):
    """Alice's rows: a run with a kept image in batch b1 and conversation c1, a vote."""
    run = alice.save_run(
        make_run(
            prompt="Alice's secret receipt",
            answer="Total: 42",
            model="alice-model",
            tag="alice-tag",
            kind="batch_item",
            batch_id="b1",
            images=(RunImage(sha256="sent", source_sha256="photo-sha"),),
        ),
        originals={"photo-sha": PHOTO},
    )
    turn = alice.save_run(make_run(kind="turn", conversation_id="c1", prompt="Alice's turn"))
    vote = alice.save_vote(
        Vote(model_a="m1", model_b="m2", choice="a", batch_id="b1", tag="t", run_a_id=run.id)
    )
    return {"run": run, "turn": turn, "vote": vote}


def test_another_workspace_sees_none_of_the_runs_votes_batches_or_filters(alices, bob):
    assert bob.search_runs(limit=1000) == []
    assert bob.search_runs(RunFilter(text="secret")) == []
    assert bob.search_runs(RunFilter(model="alice-model")) == []
    assert bob.search_runs(RunFilter(tag="alice-tag")) == []
    assert bob.search_runs(RunFilter(kind="batch_item")) == []
    assert bob.batch_ids() == []
    assert bob.batch_runs("b1") == []
    assert bob.conversation_runs("c1") == []
    assert bob.models() == []
    assert bob.tags() == []
    assert bob.votes() == []
    assert bob.votes(batch_id="b1") == []
    assert bob.votes(tag="t") == []
    assert bob.kept_image_bytes() == 0


def test_a_guessed_run_id_reads_nothing_and_deletes_nothing(alices, alice, bob):
    run_id = alices["run"].id
    assert bob.get_run(run_id) is None
    assert not bob.delete_run(run_id)
    assert not bob.delete_vote(alices["vote"].id)
    assert alice.get_run(run_id) == alices["run"]
    assert [vote.id for vote in alice.votes()] == [alices["vote"].id]


def test_a_guessed_image_hash_reads_no_bytes(alices, alice, bob):
    assert alice.image_bytes("photo-sha") == PHOTO
    assert bob.image_bytes("photo-sha") is None


def test_a_vote_cannot_name_another_workspaces_run(alices, bob):
    with pytest.raises(HistoryError, match="not in the history"):
        bob.save_vote(Vote(model_a="m1", model_b="m2", choice="b", run_b_id=alices["run"].id))
    assert bob.votes() == []
    with pytest.raises(HistoryError, match="not in the history"):
        bob.save_vote(Vote(model_a="m1", model_b="m2", choice="b", run_a_id=10**6))


def test_the_same_image_is_kept_once_per_workspace(alices, alice, bob, history_db):
    # Bob keeps the same photo under the same hash: his own row, which cannot touch Alice's.
    bob_run = bob.save_run(
        make_run(images=(RunImage(sha256="sent", source_sha256="photo-sha"),)),
        originals={"photo-sha": PHOTO},
    )
    alice.save_image_bytes("photo-sha", PHOTO)
    rows = history_db.rows("SELECT workspace, sha256 FROM image_blobs ORDER BY workspace")
    assert rows == [("alice", "photo-sha"), ("bob", "photo-sha")]
    assert bob.image_bytes("photo-sha") == PHOTO
    assert bob.kept_image_bytes() == alice.kept_image_bytes() == len(PHOTO)
    # The same bytes under a hash Bob never kept stay Alice's alone.
    alice.save_image_bytes("alice-only", b"private bytes")
    assert bob.image_bytes("alice-only") is None
    assert bob.get_run(bob_run.id) is not None


def test_the_same_batch_and_conversation_ids_stay_apart(alices, alice, bob, history_db):
    bob.save_run(make_run(kind="batch_item", batch_id="b1", model="bob-model"))
    bob.save_run(make_run(kind="turn", conversation_id="c1", prompt="Bob's turn"))
    assert [run.model for run in bob.batch_runs("b1")] == ["bob-model"]
    assert [run.model for run in alice.batch_runs("b1")] == ["alice-model"]
    assert [run.prompt for run in bob.conversation_runs("c1")] == ["Bob's turn"]
    assert [run.prompt for run in alice.conversation_runs("c1")] == ["Alice's turn"]
    assert history_db.rows("SELECT workspace, id FROM batches ORDER BY workspace") == [
        ("alice", "b1"),
        ("bob", "b1"),
    ]


def test_every_row_carries_its_workspace(alices, bob, history_db):
    bob.save_run(make_run())
    for table in ("runs", "votes", "batches", "image_blobs"):
        found = {row[0] for row in history_db.rows(f"SELECT DISTINCT workspace FROM {table}")}  # noqa: S608
        assert found <= {"alice", "bob"}
        assert "alice" in found


def test_the_single_user_app_is_the_local_workspace(history_db):
    with history_db.open() as store:
        assert store.workspace == "local"
        store.save_run(make_run())
    assert history_db.rows("SELECT workspace FROM runs") == [("local",)]


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
def test_a_workspace_needs_a_usable_name(tmp_path, name):
    # Checked before anything connects, so one engine says it for both.
    with pytest.raises(HistoryError, match="workspace"):
        HistoryStore(tmp_path / "h.sqlite3", workspace=name)
    with HistoryStore(tmp_path / "h.sqlite3") as store, pytest.raises(HistoryError):
        store.for_workspace(name)
