"""A kept batch named as a person tells batches apart: when it started, what it asked, which
models answered, and its tag, never by its id alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vision.api.catalog import compact_name
from vision.batch.recorded.spec import BatchSpec
from vision.values.kept_batch import KeptBatch

if TYPE_CHECKING:
    from vision.history.store import HistoryStore

# A prompt longer than this is cut, with an ellipsis, in a batch's name.
PROMPT_SHOWN = 48


def _clipped(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def batch_title(batch: KeptBatch) -> str:
    """'2026-12-07 21:04 · “Read the text” · Qwen2-VL-7B, Llama-3.2-90B-Vision · tag ocr'
    (UTC; the first item's prompt: a table's rows may each ask their own)."""
    spec = BatchSpec.from_json(dict(batch.spec))
    parts = [f"{batch.created_at:%Y-%m-%d %H:%M}", f"“{_clipped(spec.prompt, PROMPT_SHOWN)}”"]
    parts.append(", ".join(compact_name(model) for model in spec.models) or "no model")
    if spec.tag:
        parts.append(f"tag {spec.tag}")
    return " · ".join(parts)


def export_title(store: HistoryStore, batch_id: str) -> str:
    """A batch's title in its exports: its name, or "Batch ID" for one the history keeps no
    record of."""
    kept = store.kept_batches(1, ids=[batch_id])
    return batch_title(kept[0]) if kept else f"Batch {batch_id}"
