"""A batch's runs gathered by item, in the items' order, and each item's runs by repeat: the
rows of its results grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vision.values.run import Run


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemRepeat:
    """One repeat of one item: every model's run of it, and which item of the batch it is."""

    position: int  # the item's place among runs_by_item's items
    label: str
    repeat: int  # 0: the first time the item was asked
    runs: tuple[Run, ...]


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


def item_repeats(items: Sequence[tuple[str, tuple[Run, ...]]]) -> list[ItemRepeat]:
    """Each item's repeats in turn (repeat 1, 2, ... of the first item, then of the next), each
    with its models' runs in the order given: one entry per item when each was asked once."""
    found = []
    for position, (label, runs) in enumerate(items):
        by_repeat: dict[int, list[Run]] = {}
        for run in runs:
            by_repeat.setdefault(run.repeat, []).append(run)
        found += [
            ItemRepeat(position=position, label=label, repeat=repeat, runs=tuple(members))
            for repeat, members in sorted(by_repeat.items())
        ]
    return found
