"""A batch's progress read from the store alone (vision/history/progress.py), on SQLite and
PostgreSQL: per model, its unanswered errors, whether it still runs somewhere, and never for
another workspace. A second store on the same database stands for another replica."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.support.client_calls import KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.api.client import VisionClient
from vision.batch.items.uploads import Upload, page_items
from vision.batch.recorded.spec import page_spec
from vision.batch.running.heartbeat import Heartbeat
from vision.batch.running.in_process import LiveBatch
from vision.echo import EchoServer, Fault
from vision.values.kept_batch import STALE_S
from vision.values.request import RequestOptions
from vision.values.run import Run

ALICE, BOB = "ws-alice", "ws-bob"
SPEC = {
    "source": "history",
    "prompt": "What is in this image?",
    "models": [QWEN, LLAMA],
    "item_list": "list-1",
    "item_count": 2,
}


def _run(index: int, model: str, *, error: str | None = None, when: datetime | None = None):
    return Run(
        kind="batch_item",
        batch_id="b-1",
        item_index=index,
        item_name=f"{'ab'[index]}.png",
        prompt="What is in this image?",
        model=model,
        answer="" if error else "an okapi",
        error=error,
        **({"created_at": when} if when else {}),
    )


def test_progress_counts_each_model_and_shows_only_errors_still_unanswered(history_db):
    with history_db.open(workspace=ALICE) as alice, history_db.open(workspace=BOB) as bob:
        alice.save_batch("b-1", SPEC, state="running")
        alice.save_run(_run(0, QWEN))
        alice.save_run(_run(1, QWEN, error="The server failed once."))
        alice.save_run(_run(1, QWEN))  # retried: the answer beats the failure
        alice.save_run(_run(0, LLAMA, error="Llama refused this image."))

        progress = alice.batch_progress("b-1")
        assert progress is not None
        assert [(m.model, m.answered, m.failed, m.total) for m in progress.models] == [
            (QWEN, 2, 0, 2),
            (LLAMA, 0, 1, 2),
        ]
        assert (progress.answered, progress.failed, progress.total) == (2, 1, 4)
        assert [(e.model, e.item, e.sentence) for e in progress.errors] == [
            (LLAMA, "a.png", "Llama refused this image.")
        ]
        assert progress.active()
        assert [found.batch_id for found in alice.active_batches()] == ["b-1"]

        # Another person sees nothing of it, even by its id.
        assert bob.batch_progress("b-1") is None
        assert bob.active_batches() == []

        alice.set_batch_state("b-1", "done")
        assert alice.active_batches() == []
        assert alice.batch_progress("b-1").state == "done"


def test_a_running_batch_not_heard_from_is_taken_as_stopped_until_its_heartbeat(history_db):
    long_ago = datetime.fromtimestamp(time.time() - 10 * STALE_S, tz=UTC)
    with history_db.open(workspace=ALICE) as alice:
        alice.save_batch("b-1", SPEC, state="running")
        alice.save_run(_run(0, QWEN, when=long_ago))
        history_db.execute(
            "UPDATE batches SET updated_at = :then WHERE id = 'b-1'", then=long_ago.timestamp()
        )
        assert not alice.batch_progress("b-1").active()
        assert alice.active_batches() == []

        with Heartbeat(alice, "b-1", every_s=0.05):
            deadline = time.monotonic() + 10
            while not alice.active_batches():
                assert time.monotonic() < deadline, "the heartbeat never reached the store"
                time.sleep(0.05)
        assert alice.batch_progress("b-1").quiet_for() < STALE_S


def test_a_batch_running_in_one_process_shows_its_partial_progress_to_another_store(history_db):
    with (
        EchoServer(api_key=KEY) as echo,
        history_db.open(workspace=ALICE) as here,
        history_db.open(workspace=ALICE) as elsewhere,
    ):
        echo.add_fault(Fault(kind="hang", seconds=4.0, model=LLAMA, times=2))
        echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=1))
        items = page_items(
            prompt="What?",
            uploads=[
                Upload(name=f"{i}.png", data=make_image("PNG", (96 + i, 64))) for i in range(2)
            ],
        )
        live = LiveBatch(
            client=lambda: VisionClient(echo.base_url, KEY, max_retries=0, timeout=(2.0, 10.0)),
            store=here,
            items=items,
            spec=page_spec(
                items, [QWEN, LLAMA], concurrency=4, options=RequestOptions(max_tokens=32)
            ),
        ).start()
        deadline = time.monotonic() + 30
        while True:
            seen = elsewhere.active_batches()
            if seen and seen[0].models[0].answered + seen[0].models[0].failed == 2:
                break
            assert time.monotonic() < deadline, "the other store never saw Qwen's results"
            time.sleep(0.05)
        assert live.running  # Llama's answers are still held back
        (mid,) = seen
        assert mid.batch_id == live.batch_id
        assert [(m.model, m.answered, m.failed) for m in mid.models] == [
            (QWEN, 1, 1),
            (LLAMA, 0, 0),
        ]
        assert mid.total == 4
        assert len(mid.errors) == 1
        assert mid.errors[0].model == QWEN
        assert "status 400" in mid.errors[0].sentence

        assert live.wait(30)
        after = elsewhere.batch_progress(live.batch_id)
        assert after.state == "done"
        assert not after.active()
        assert (after.answered, after.failed) == (3, 1)
