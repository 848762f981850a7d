"""What a person shares with the team: a run or a batch, and a shared batch as it is read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vision.values.kept_batch import KeptBatch
from vision.values.run import Run

ShareKind = Literal["run", "batch"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedBatch:
    """A batch someone shared: whose it is, its runs, and its record (what it asked of which
    models, when), None for a batch saved without one."""

    owner: str
    batch_id: str
    runs: tuple[Run, ...]
    kept: KeptBatch | None = None
