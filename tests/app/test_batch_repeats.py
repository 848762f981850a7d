"""The Batch page's "Repeat each item": every item asked that many times of every model, each
repeat kept as a run of its own."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.batch_page import finish, run_batch
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import table_with, texts, texts_of
from vision.api.catalog import short_name
from vision.echo import EchoServer, Fault
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
    finish(at)
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


def repeated_batch(at: AppTest) -> None:
    """Two images expected to be answered by the echo, two models, each item asked 3 times."""
    table = "image,expected\na.png,echo backend\nb.png,echo backend\n"
    at.file_uploader(key="batch_table").set_value(("t.csv", table.encode(), "text/csv")).run()
    files = [(f"{name}.png", make_image("PNG", (40 + n, 40)), "image/png")
             for n, name in enumerate("ab")]  # fmt: skip
    at.file_uploader(key="batch_images").set_value(files).run()
    at.number_input(key="batch_repeats").set_value(3).run()
    run_batch(at)


def test_the_results_show_every_repeat_its_spread_and_the_item_that_flipped(
    batch_page, echo: EchoServer, history_file
):
    # One of Qwen's twelve answers fails: that item passes 2 of its 3 repeats for Qwen.
    echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=1))
    at: AppTest = batch_page()
    repeated_batch(at)
    with HistoryStore(history_file) as store:
        runs = store.batch_runs(store.batch_ids()[0], images=False)
    (failed,) = [run for run in runs if run.failed]
    flipped = failed.item_name
    steady = ({"a.png", "b.png"} - {flipped}).pop()

    # The grid: a row per image and repeat, each model's answer in its own column: 12 answers.
    grid = table_with(at, "item")
    assert list(zip(grid["item"], grid["repeat"], strict=True)) == [
        (name, repeat) for name in ("a.png", "b.png") for repeat in (1, 2, 3)
    ]
    answers = [grid[f"{short_name(model)} · answer"] for model in (QWEN, LLAMA)]
    assert sum(cell is not None for column in answers for cell in column) == 12
    assert sum(str(cell).startswith("⚠") for column in answers for cell in column) == 1

    # Pass rates count every answer, over 3 repeats.
    rates = table_with(at, "pass rate").set_index("model")
    assert rates.loc[short_name(QWEN), "passed"] == 5
    assert rates.loc[short_name(QWEN), "checked"] == 6
    assert rates.loc[short_name(QWEN), "repeats"] == 3
    assert rates.loc[short_name(LLAMA), "passed"] == 6
    # The comparison is on each item's share of passed repeats.
    shown = texts(at)
    assert any("over 3 repeats" in text and "sign test p = " in text for text in shown), shown

    # The spread per repeat, and the flipped item named with its flip rate.
    spread = table_with(at, "pass rate per repeat").set_index("model")
    qwen = spread.loc[short_name(QWEN)]
    assert sorted(qwen["pass rate per repeat"].split(" · ")) == ["100%", "100%", "50%"]
    assert qwen["min – max"] == "50% – 100%"
    assert qwen["standard deviation (points)"] == 28.9
    assert qwen["items that flipped"] == "1 of 2"
    assert qwen["mean flip rate"] == "16.7%"
    assert spread.loc[short_name(LLAMA), "items that flipped"] == "0 of 2"
    assert f"**Items that flipped**: {flipped}" in shown
    flips = table_with(at, "flip rate")
    assert flips.to_dict("records") == [
        {"item": flipped, "model": short_name(QWEN), "repeats passed": "2 of 3", "flip rate": "33%"}
    ]
    assert steady not in set(flips["item"])


def test_reading_an_image_whole_shows_each_of_its_repeats(batch_page, echo: EchoServer):
    echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=1))
    at: AppTest = batch_page()
    repeated_batch(at)
    reader = at.selectbox(key="batch_item")
    assert reader.options == ["a.png", "b.png"]  # an image once, however often it was asked
    for index in range(2):
        at.selectbox(key="batch_item").set_value(index).run()
        shown = texts(at)
        verdicts = [text for text in shown if text.startswith("Repeat ")]
        # Three repeats for each of two models, one of Qwen's a failed request on one image.
        assert [text.split(" · ")[0] for text in verdicts] == ["Repeat 1", "Repeat 2",
                                                               "Repeat 3"] * 2  # fmt: skip
        errors = texts_of(at.error)
        passed = [text for text in verdicts if text.endswith(":green[passed]")]
        assert len(passed) + len(errors) == 6
