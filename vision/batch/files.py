"""Batch items from this machine's files, all at once (vision.batch.sources reads them lazily)."""

from __future__ import annotations

from vision.batch.sources import IMAGE_SUFFIXES, open_source
from vision.values.batch import BatchItem

__all__ = ["IMAGE_SUFFIXES", "load_items"]


def load_items(source: str, prompt: str, *, tag: str | None = None) -> list[BatchItem]:
    """Items from a folder, or a CSV, JSONL or TSV (each image read when it is prepared)."""
    return list(open_source(source, prompt, tag=tag))
