"""A page's batch kept in the history: its uploads saved as originals and its items written a
row each (vision/history/kept_items.py) as they are read, so it can be resumed by another
session, a worker, or after the app restarts; read back a few hundred rows at a time."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vision.values.batch import BatchItem, KeptItem

if TYPE_CHECKING:
    from vision.history.store import HistoryStore

KEPT_SOURCE = "history"
# Items read from the history per query.
ITEMS_PER_READ = 200


def _kept(store: HistoryStore, item: BatchItem) -> KeptItem:
    """The item as the history keeps it, its image bytes kept by hash (a URL stays a URL)."""
    sha256 = url = None
    if isinstance(item.image, bytes):
        sha256 = hashlib.sha256(item.image).hexdigest()
        store.save_image_bytes(sha256, item.image)
    else:
        url = str(item.image)
    return KeptItem(
        prompt=item.prompt,
        name=item.name,
        expected=item.expected,
        answers=item.answers,
        choices=item.choices,
        tag=item.tag,
        locate=item.locate,
        sha256=sha256,
        url=url,
    )


def keep_item_list(store: HistoryStore, items: Iterable[BatchItem]) -> tuple[str, int]:
    """Keep the items in the history as they are read; the new list's id and its length."""
    list_id = uuid.uuid4().hex
    return list_id, store.keep_items(list_id, (_kept(store, item) for item in items))


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptItems:
    """A kept batch's items; iterating reads them from the history a few hundred at a time,
    and each image's bytes only as its item comes up."""

    store: HistoryStore = field(repr=False)
    list_id: str
    items: int

    def __iter__(self) -> Iterator[BatchItem]:
        for _, item in self.numbered(None):
            yield item

    def numbered(self, within: range | None) -> Iterator[tuple[int, BatchItem]]:
        """The items at these positions (every one with None) with their index; the rows before
        them are not read."""
        span = range(self.items) if within is None else within
        for start in range(span.start, min(span.stop, self.items), ITEMS_PER_READ):
            end = min(start + ITEMS_PER_READ, span.stop)
            for index, kept in enumerate(self.store.kept_items(self.list_id, range(start, end))):
                yield start + index, self._item(kept)

    def _item(self, kept: KeptItem) -> BatchItem:
        image: bytes | str
        if kept.url is not None:
            image = kept.url
        else:
            # An original over the history's limits was not kept: preparing b"" fails that
            # item alone, with the image error's sentence.
            image = self.store.image_bytes(kept.sha256 or "") or b""
        return BatchItem(
            image=image,
            prompt=kept.prompt,
            name=kept.name,
            expected=kept.expected,
            answers=kept.answers,
            choices=kept.choices,
            tag=kept.tag,
            locate=kept.locate,
        )

    def count(self) -> int:
        """How many items the batch has."""
        return self.items
