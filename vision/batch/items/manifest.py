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


def _kept(item: BatchItem, sha256: str | None) -> KeptItem:
    """The item as the history keeps it: its image by the hash its bytes are kept under, or
    its URL."""
    return KeptItem(
        prompt=item.prompt,
        name=item.name,
        expected=item.expected,
        answers=item.answers,
        choices=item.choices,
        tag=item.tag,
        locate=item.locate,
        sha256=sha256,
        url=None if sha256 is not None else str(item.image),
        parts=item.parts,
    )


def keep_item_list(store: HistoryStore, items: Iterable[BatchItem]) -> tuple[str, int]:
    """Keep the items in the history as they are read, each upload's bytes once (many rows, or
    a question's rotations, share one); the new list's id and its length."""
    # An upload's bytes by their object's id, with their hash; the bytes are held so that no
    # other object can take that id while the list is kept.
    kept: dict[int, tuple[bytes, str]] = {}

    def listed() -> Iterator[KeptItem]:
        for item in items:
            if not isinstance(item.image, bytes):
                yield _kept(item, None)
                continue
            known = kept.get(id(item.image))
            if known is None:
                known = kept[id(item.image)] = (item.image, hashlib.sha256(item.image).hexdigest())
                store.save_image_bytes(known[1], item.image)
            yield _kept(item, known[1])

    list_id = uuid.uuid4().hex
    return list_id, store.keep_items(list_id, listed())


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
            parts=kept.parts,
        )

    def count(self) -> int:
        """How many items the batch has."""
        return self.items
