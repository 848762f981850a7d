"""The Batch page's "Repeat each item": every item asked that many times of every model, each
repeat kept as a run of its own."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import TIMEOUT_S, texts
from vision.echo import EchoServer
from vision.history.store import HistoryStore


def test_repeat_each_item_asks_every_item_that_many_times(batch_page, echo: EchoServer,
                                                           history_file):  # fmt: skip
    at: AppTest = batch_page()
    assert at.number_input(key="batch_repeats").value == 1
    files = [(f"{side}.png", make_image("PNG", (side, side)), "image/png") for side in (40, 48)]
    at.file_uploader(key="batch_images").set_value(files).run()
    assert "2 images × 2 models = 4 requests" in texts(at)
    at.number_input(key="batch_repeats").set_value(3).run()
    assert "2 images × 2 models × 3 repeats = 12 requests" in texts(at)
    assert not at.button(key="batch_run").disabled, texts(at)
    before = len(echo.chat_requests)
    at.button(key="batch_run").click().run()
    assert not at.exception
    assert at.session_state["batch"].wait(TIMEOUT_S), "the batch did not finish"
    at.run()
    assert not at.exception
    # 2 images × 2 models × 3 repeats, none of them served from the history.
    assert len(echo.chat_requests) - before == 12
    with HistoryStore(history_file) as store:
        batch_id = store.batch_ids()[0]
        runs = store.batch_runs(batch_id, images=False)
        progress = store.batch_progress(batch_id)
    # Progress counts each repeat as a job of its own: 6 of 6 per model, 12 in all.
    assert progress is not None
    assert [(m.answered, m.failed, m.total) for m in progress.models] == [(6, 0, 6), (6, 0, 6)]
    assert (progress.answered, progress.total) == (12, 12)
    assert sorted((run.model, run.item_index, run.repeat) for run in runs) == sorted(
        (model, index, repeat) for model in (LLAMA, QWEN) for index in (0, 1) for repeat in range(3)
    )
    assert not any(run.cached for run in runs)
