"""A page's batch kept in the history: its uploads saved as originals and its items listed in
the batch's spec, so it can be resumed by another session, or after the app restarts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vision.values.batch import BatchItem
from vision.values.grounding import LocateTask

if TYPE_CHECKING:
    from vision.history.store import HistoryStore

KEPT_SOURCE = "history"


def item_manifest(store: HistoryStore, items: Sequence[BatchItem]) -> list[dict[str, Any]]:
    """Each item as JSON, its image bytes kept in the history by hash (a URL stays a URL)."""
    listed = []
    for item in items:
        entry: dict[str, Any] = {
            "prompt": item.prompt,
            "name": item.name,
            "expected": item.expected,
            "answers": list(item.answers),
            "choices": list(item.choices),
            "tag": item.tag,
        }
        if item.locate is not None:
            entry["locate"] = item.locate.to_json()
        if isinstance(item.image, bytes):
            sha = hashlib.sha256(item.image).hexdigest()
            store.save_image_bytes(sha, item.image)
            entry["sha256"] = sha
        else:
            entry["url"] = str(item.image)
        listed.append(entry)
    return listed


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptItems:
    """A kept batch's items; iterating reads each image's bytes from the history in turn."""

    store: HistoryStore = field(repr=False)
    manifest: tuple[dict[str, Any], ...] = field(repr=False)

    def __iter__(self) -> Iterator[BatchItem]:
        for entry in self.manifest:
            image: bytes | str
            if "url" in entry:
                image = entry["url"]
            else:
                # An original over the history's limits was not kept: preparing b"" fails
                # that item alone, with the image error's sentence.
                image = self.store.image_bytes(entry["sha256"]) or b""
            yield BatchItem(
                image=image,
                prompt=entry["prompt"],
                name=entry.get("name") or "",
                expected=entry.get("expected"),
                answers=tuple(entry.get("answers") or ()),
                choices=tuple(entry.get("choices") or ()),
                tag=entry.get("tag"),
                locate=LocateTask.from_json(entry["locate"]) if entry.get("locate") else None,
            )

    def count(self) -> int:
        """How many items the batch has."""
        return len(self.manifest)
