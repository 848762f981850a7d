"""A kept batch's name: when it started, what it asked (cut when long), its models and its tag."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.models import LLAMA, QWEN
from vision.batch.recorded.naming import batch_title, export_title
from vision.batch.recorded.spec import BatchSpec
from vision.history.store import HistoryStore
from vision.values.kept_batch import KeptBatch

STARTED = datetime(2026, 12, 7, 21, 4, 59, tzinfo=UTC)


def _kept(spec: BatchSpec) -> KeptBatch:
    return KeptBatch(id="0123456789ab", spec=spec.to_json(), state="done", created_at=STARTED)


def test_a_batch_is_named_by_its_start_prompt_models_and_tag():
    spec = BatchSpec(source="kept", prompt="Read the\n total", models=(QWEN, LLAMA), tag="ocr")
    assert batch_title(_kept(spec)) == (
        "2026-12-07 21:04 · “Read the total” · Qwen2-VL-7B, Llama-3.2-90B-Vision · tag ocr"
    )


def test_a_long_prompt_is_cut_with_an_ellipsis_and_no_tag_is_left_out():
    spec = BatchSpec(source="kept", prompt="Describe " * 20, models=(QWEN,))
    title = batch_title(_kept(spec))
    prompt = title.split(" · ")[1]
    assert prompt.startswith("“Describe Describe")
    assert prompt.endswith("…”")
    assert len(prompt) == 48 + 2
    assert title.endswith(" · Qwen2-VL-7B")
    assert "0123456789ab" not in title


def test_an_exports_title_is_the_batchs_name_or_its_id_when_nothing_is_kept(tmp_path):
    spec = BatchSpec(source="kept", prompt="Read the total", models=(QWEN,), tag="ocr")
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        store.save_batch("0123456789ab", spec.to_json(), state="done")
        title = export_title(store, "0123456789ab")
        assert title.endswith(" · “Read the total” · Qwen2-VL-7B · tag ocr")
        assert "0123456789ab" not in title
        assert export_title(store, "feedfacecafe") == "Batch feedfacecafe"
