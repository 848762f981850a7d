"""Batch page: one image's answers read whole below the grid, whose cells cut long answers."""

from __future__ import annotations

from tests.app.test_batch_kept import finish, run
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import texts, texts_of
from vision.echo import EchoServer, Fault
from vision.history.store import HistoryStore

TWO = [(f"{name}.png", make_image("PNG", (40 + n, 40)), "image/png") for n, name in enumerate("ab")]
ITEMS = ["a.png", "b.png"]


def test_picking_an_image_shows_each_models_whole_answer_and_verdict_side_by_side(
    batch_page, echo: EchoServer, history_file
):
    echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=1))
    at = batch_page()
    table = "image,expected\na.png,echo backend\nb.png,a red bicycle\n"
    at.file_uploader(key="batch_table").set_value(("t.csv", table.encode(), "text/csv")).run()
    run(at, *TWO)
    finish(at)
    reader = at.selectbox(key="batch_item")
    assert reader.value is None  # nothing read whole until asked
    assert reader.options == ITEMS
    assert "batch_item_answers" not in str(at.main)
    with HistoryStore(history_file) as store:
        saved = store.batch_runs(at.session_state["batch"].batch_id)
    answers = {(run.item_name, run.model): run for run in saved}

    reader.set_value(1).run()
    assert not at.exception
    shown = texts(at)
    assert "**b.png** · expected: a red bicycle" in shown
    llama = answers[("b.png", LLAMA)].answer
    assert len(llama) > 120  # longer than a grid cell shows
    assert llama in shown
    assert "**Llama-3.2-90B-Vision-Instruct** · :red[failed the check]" in shown

    (failed,) = [run for (_, model), run in answers.items() if model == QWEN and run.failed]
    at.selectbox(key="batch_item").set_value(ITEMS.index(failed.item_name or "")).run()
    shown = texts(at)
    assert f"**{failed.item_name}** · expected: " in " ".join(shown)
    assert failed.error in texts_of(at.error)
    assert "**Qwen2-VL-7B-Instruct**" in shown  # a failed answer is not a failed check
    at.selectbox(key="batch_item").set_value(0).run()
    assert "**Llama-3.2-90B-Vision-Instruct** · :green[passed]" in texts(at)
