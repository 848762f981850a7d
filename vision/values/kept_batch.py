"""A batch the history keeps with what it asked: its id, its spec as JSON values, its state and
when it started."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptBatch:
    """One kept batch: its id, its spec (vision.batch.recorded.spec.BatchSpec as JSON values),
    its state (queued, running, done, cancelled, or None) and when it was made (UTC)."""

    id: str
    spec: Mapping[str, Any] = field(repr=False)
    state: str | None
    created_at: datetime
