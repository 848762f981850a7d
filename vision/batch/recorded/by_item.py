"""A batch's runs gathered by item, in the items' order: the rows of its results grid."""

from __future__ import annotations

from collections.abc import Sequence

from vision.values.run import Run


def item_label(run: Run) -> str:
    """The item a run answered, as the results name it: its file name, else its number."""
    return run.item_name or f"#{(run.item_index or 0) + 1}"


def runs_by_item(runs: Sequence[Run]) -> list[tuple[str, tuple[Run, ...]]]:
    """Each item's label and its runs (every model's, in the order given), items in their
    batch order."""
    items: dict[tuple[int, str], list[Run]] = {}
    for run in runs:
        items.setdefault((run.item_index or 0, run.item_name or ""), []).append(run)
    return [(item_label(found[0]), tuple(found)) for _, found in sorted(items.items())]
