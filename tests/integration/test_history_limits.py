"""Limits on what the history keeps, on both engines: an original over a limit is not kept and
its run says so, and the answer is saved all the same."""

from __future__ import annotations

import pytest

from tests.support.images import make_image
from vision.errors import HistoryError
from vision.history.config import StoreLimits
from vision.history.replay import rebuild_request, run_images
from vision.history.store import HistoryStore
from vision.values.run import Run, RunImage

SMALL = make_image("PNG", (16, 16))
BIG = make_image("PNG", (300, 300), color=(10, 200, 30)) + b"\0" * 4000


def run_with(*shas: str, **fields: object) -> Run:
    images = tuple(
        RunImage(position=index, sha256=f"sent-{sha}", source_sha256=sha, steps=("resized",))
        for index, sha in enumerate(shas)
    )
    return Run(prompt="Read it", model="m1", answer="An answer.", images=images, **fields)  # type: ignore[arg-type]


def test_an_original_over_the_image_limit_is_not_kept_and_the_run_says_so(history_db):
    limits = StoreLimits(max_image_bytes=len(BIG) - 1)
    with history_db.open(limits=limits) as store:
        saved = store.save_run(run_with("small", "big"), originals={"small": SMALL, "big": BIG})
        assert saved.answer == "An answer."
        assert saved.images[0].steps == ("resized",)
        note = saved.images[1].steps[-1]
        assert note.startswith("original not kept in the history: ")
        assert "VISION_MAX_STORED_IMAGE_BYTES" in note
        assert store.get_run(saved.id) == saved
        assert store.image_bytes("small") == SMALL
        assert store.image_bytes("big") is None
        assert [image.sha256 for image in run_images(store, saved)] == ["small"]
        with pytest.raises(HistoryError, match="Image 2 of this run was not kept"):
            rebuild_request(saved, store)
        assert not store.save_image_bytes("big", BIG)
        assert store.save_image_bytes("small-again", SMALL)


def test_a_workspace_keeps_originals_up_to_its_limit(history_db):
    limits = StoreLimits(max_workspace_bytes=len(SMALL) * 2)
    with history_db.open(workspace="alice", limits=limits) as alice:
        first = alice.save_run(run_with("one"), originals={"one": SMALL})
        again = alice.save_run(run_with("one"), originals={"one": SMALL})  # kept already: free
        second = alice.save_run(run_with("two"), originals={"two": SMALL + b"\0"})
        assert first.images[0].steps == again.images[0].steps == ("resized",)
        assert "VISION_MAX_WORKSPACE_IMAGE_BYTES" in second.images[0].steps[-1]
        assert alice.kept_image_bytes() == len(SMALL)
        assert alice.save_image_bytes("three", SMALL)
        assert not alice.save_image_bytes("four", b"x")
        # Another workspace has a limit of its own.
        bob = alice.for_workspace("bob")
        assert bob.save_image_bytes("four", SMALL)
        assert alice.kept_image_bytes() == bob.kept_image_bytes() * 2


def test_a_limit_of_zero_keeps_no_originals(history_db):
    with history_db.open(limits=StoreLimits(max_image_bytes=0)) as store:
        saved = store.save_run(run_with("one"), originals={"one": SMALL})
        assert saved.images[0].steps[-1].startswith("original not kept")
        assert store.image_bytes("one") is None
        assert store.search_runs()[0].answer == "An answer."


def test_the_limits_come_from_the_environment(tmp_path, monkeypatch):
    assert StoreLimits.from_env({}) == StoreLimits()
    assert StoreLimits().max_workspace_bytes is None
    assert StoreLimits.from_env(
        {"VISION_MAX_STORED_IMAGE_BYTES": "5_000_000", "VISION_MAX_WORKSPACE_IMAGE_BYTES": "0"}
    ) == StoreLimits(max_image_bytes=5_000_000, max_workspace_bytes=0)
    monkeypatch.setenv("VISION_MAX_STORED_IMAGE_BYTES", "10")
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        assert store.limits.max_image_bytes == 10
        assert not store.save_image_bytes("big", BIG)


@pytest.mark.parametrize("value", ["lots", "-1", "2.5"])
def test_a_limit_that_is_not_a_whole_number_is_refused_with_a_sentence(value):
    with pytest.raises(HistoryError, match="VISION_MAX_STORED_IMAGE_BYTES must be a whole number"):
        StoreLimits.from_env({"VISION_MAX_STORED_IMAGE_BYTES": value})
