"""Batch page: a batch that another process runs (another replica or tab, a worker) is drawn
from the store: its progress per model and its errors, Open refuses to run it a second time
here, and its results appear once it ends."""

from __future__ import annotations

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import texts as _texts
from vision.batch.items.manifest import KEPT_SOURCE
from vision.batch.items.uploads import Upload, page_items
from vision.batch.recorded.spec import BatchSpec, keep_items
from vision.history.store import HistoryStore
from vision.values.run import Run

BATCH = "b-elsewhere"
ITEMS = page_items(
    prompt="What is in this image?",
    uploads=[
        Upload(name=name, data=make_image("PNG", (40 + n, 40)))
        for n, name in enumerate(("a.png", "b.png"))
    ],
)


def _save(store: HistoryStore, index: int, model: str, error: str | None = None) -> None:
    store.save_run(
        Run(
            kind="batch_item",
            batch_id=BATCH,
            item_index=index,
            item_name="ab"[index] + ".png",
            prompt="What is in this image?",
            model=model,
            answer="" if error else "an okapi",
            error=error,
        )
    )


def test_a_batch_another_process_runs_shows_its_progress_then_its_results(batch_page, history_file):
    # Another process's batch, half done, in the same history (as a replica's is in PostgreSQL).
    with HistoryStore(history_file) as elsewhere:
        spec = keep_items(
            elsewhere,
            BatchSpec(source=KEPT_SOURCE, prompt="What is in this image?", models=(QWEN, LLAMA)),
            ITEMS,
        )
        elsewhere.save_batch(BATCH, spec.to_json(), state="running")
        _save(elsewhere, 0, QWEN)
        _save(elsewhere, 1, QWEN, error="The model refused this image.")
        at = batch_page()
        shown = _texts(at)
        # Named by when it started, what it asked and its models.
        assert any(
            text.endswith(
                "“What is in this image?” · Qwen2-VL-7B, Llama-3.2-90B-Vision** · running in "
                "another tab, on another replica or on a worker"
            )
            for text in shown
        )
        assert (
            "- Qwen2-VL-7B-Instruct: 1 of 2 answered · 1 failed\n"
            "- Llama-3.2-90B-Vision-Instruct: 0 of 2 answered" in shown
        )
        assert any("b.png: The model refused this image." in text for text in shown)

        # Opening it here would ask its jobs a second time: refused with a sentence.
        at.selectbox(key="batch_earlier").select(BATCH).run()
        at.button(key="batch_open").click().run()
        assert any("running in another tab or on another replica" in t.value for t in at.toast)
        assert not any(
            "answered ·" in text and "batch `b-elsewhere`" in text for text in _texts(at)
        )

        # It ends there: the page shows its results.
        _save(elsewhere, 0, LLAMA)
        _save(elsewhere, 1, LLAMA)
        elsewhere.set_batch_state(BATCH, "done")
        at.run()
    assert not at.exception
    shown = _texts(at)
    assert any(text.endswith(f"· 3 answered · 1 failed · batch `{BATCH}`") for text in shown)
    assert not any("running in another tab, on another replica" in text for text in shown)
