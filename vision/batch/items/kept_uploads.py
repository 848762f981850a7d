"""A page's uploads kept for its session: a page switch empties an uploader (a browser cannot be
handed its files back), not the batch. Files leave when the person takes them out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vision.batch.items.uploads import Upload


@dataclass(slots=True)
class KeptUploads:
    """The files an uploader has held, by the uploader's file id, in the order they came; with
    `single`, only the newest (a table: a new one replaces the one before)."""

    single: bool = False
    files: dict[str, Upload] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)  # the ids the uploader lists now

    def gather(self, listed: Sequence[tuple[str, Upload]]) -> list[Upload]:
        """Every file kept: those the uploader lists now (kept when new) and those kept from
        before a page switch, in the order they came."""
        if self.single and listed:
            self.files = {file_id: self.files.get(file_id, upload) for file_id, upload in listed}
        for file_id, upload in listed:
            self.files.setdefault(file_id, upload)
        self.listed = {file_id for file_id, _ in listed}
        return list(self.files.values())

    def uploader_changed(self, listed: Iterable[str]) -> None:
        """The uploader's callback: a file the person took out of its list (×) leaves the
        batch too. A page switch empties the uploader without calling this: those files stay."""
        now = set(listed)
        for file_id in self.listed - now:
            self.files.pop(file_id, None)
        self.listed &= now

    def hidden(self) -> list[Upload]:
        """The files kept that the uploader does not list (it was emptied by a page switch)."""
        return [upload for file_id, upload in self.files.items() if file_id not in self.listed]

    def forget_hidden(self) -> None:
        """Take the files the uploader does not list out of the batch."""
        self.files = {id_: upload for id_, upload in self.files.items() if id_ in self.listed}
