"""A page's batch items, a row each under a list id (schema 12): written a few hundred at a time
as they are read, and read back a range at a time, so neither side holds every item."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any

from sqlalchemy import insert, select

from vision.history.rows import WorkspaceRows
from vision.history.tables import kept_items
from vision.values.batch import KeptItem
from vision.values.grounding import LocateTask
from vision.values.image import SourcePart

# Items written per transaction: one round trip for many rows, and little held at once.
ITEMS_PER_WRITE = 500


def _listed(values: tuple[str, ...]) -> str | None:
    return json.dumps(list(values)) if values else None


def _values(workspace: str, list_id: str, position: int, item: KeptItem) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "list_id": list_id,
        "position": position,
        "prompt": item.prompt,
        "name": item.name or None,
        "expected": item.expected,
        "answers": _listed(item.answers),
        "choices": _listed(item.choices),
        "tag": item.tag,
        "locate": json.dumps(item.locate.to_json()) if item.locate is not None else None,
        "image_sha256": item.sha256,
        "image_url": item.url,
        "parts": json.dumps([part.to_json() for part in item.parts]) if item.parts else None,
    }


def _item(row: Mapping[Any, Any]) -> KeptItem:
    return KeptItem(
        prompt=row["prompt"],
        name=row["name"] or "",
        expected=row["expected"],
        answers=tuple(json.loads(row["answers"])) if row["answers"] else (),
        choices=tuple(json.loads(row["choices"])) if row["choices"] else (),
        tag=row["tag"],
        locate=LocateTask.from_json(json.loads(row["locate"])) if row["locate"] else None,
        sha256=row["image_sha256"],
        url=row["image_url"],
        parts=tuple(SourcePart.from_json(part) for part in json.loads(row["parts"] or "[]")),
    )


class KeptItemRecords(WorkspaceRows):
    """This workspace's lists of page batch items."""

    def keep_items(self, list_id: str, items: Iterable[KeptItem]) -> int:
        """Write the items in order under a new list id, as they are read; how many.

        Each few hundred are written in a transaction of their own, after they are read, so
        whatever produces them (saving an upload's bytes, say) may write to the store too."""
        position = 0
        pending = iter(items)
        while chunk := list(islice(pending, ITEMS_PER_WRITE)):
            rows = [
                _values(self.workspace, list_id, position + offset, item)
                for offset, item in enumerate(chunk)
            ]
            with self._database.writing() as db:
                db.execute(insert(kept_items), rows)
            position += len(rows)
        return position

    def kept_items(self, list_id: str, within: range) -> list[KeptItem]:
        """The items of a list at these positions (fewer past its end), in order."""
        query = (
            select(kept_items)
            .where(
                self._mine(kept_items),
                kept_items.c.list_id == list_id,
                kept_items.c.position >= within.start,
                kept_items.c.position < within.stop,
            )
            .order_by(kept_items.c.position)
        )
        with self._database.reading() as db:
            return [_item(row) for row in db.execute(query).mappings()]
