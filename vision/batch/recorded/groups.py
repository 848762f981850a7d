"""The batch or conversation each listed run was asked in, in words, and the list's order that
keeps each one's runs together."""

from __future__ import annotations

from collections.abc import Sequence

from vision.batch.recorded.naming import batch_title
from vision.history.store import HistoryStore
from vision.values.run import Run


def batch_key(batch_id: str) -> str:
    """A batch's group key."""
    return f"batch:{batch_id}"


def group_key(run: Run) -> str:
    """The conversation or batch a run belongs to, as a key ("" for neither)."""
    if run.batch_id:
        return batch_key(run.batch_id)
    if run.conversation_id:
        return f"conversation:{run.conversation_id}"
    return ""


def grouped(runs: Sequence[Run]) -> list[Run]:
    """The runs with each conversation's and batch's runs together, in the order each group
    first appears (newest first for a newest-first list)."""
    order: dict[str, int] = {}
    for run in runs:
        order.setdefault(group_key(run) or f"run {run.id}", len(order))
    return sorted(runs, key=lambda run: order[group_key(run) or f"run {run.id}"])


def group_names(store: HistoryStore, runs: Sequence[Run]) -> dict[str, str]:
    """Each group key of these runs in words: a batch by when it started, what it asked, its
    models and tag; a conversation by its earliest answer among these runs."""
    names: dict[str, str] = {}
    batch_ids = {run.batch_id for run in runs if run.batch_id}
    if batch_ids:
        for batch in store.kept_batches(len(batch_ids), ids=batch_ids):
            names[batch_key(batch.id)] = f"batch of {batch_title(batch)}"
    for run in sorted(runs, key=lambda run: run.created_at, reverse=True):
        if run.conversation_id and not run.batch_id:
            names[group_key(run)] = f"conversation from {run.created_at:%Y-%m-%d %H:%M}"
    for run in runs:
        if run.batch_id:
            # A batch kept before batches kept their spec has only its id to go by.
            names.setdefault(group_key(run), f"batch {run.batch_id[:8]}")
    return names
