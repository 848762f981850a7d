"""What a person shares with the team: a run or a batch, and a shared batch as it is read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vision.values.run import Run

ShareKind = Literal["run", "batch"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedBatch:
    """A batch someone shared: whose it is and its runs."""

    owner: str
    batch_id: str
    runs: tuple[Run, ...]
