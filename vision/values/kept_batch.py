"""A batch the history keeps: what it asked (its id, its spec as JSON values, its state and when
it started), its progress per model with the latest errors, and a chunk a worker holds."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# A "running" batch not heard from (a heartbeat or a saved run) for this long is taken to have
# stopped with its process, so it never looks busy forever.
STALE_S = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptBatch:
    """One kept batch: its id, its spec (vision.batch.recorded.spec.BatchSpec as JSON values),
    its state (queued, running, done, cancelled, or None) and when it was made (UTC)."""

    id: str
    spec: Mapping[str, Any] = field(repr=False)
    state: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelProgress:
    """One model's jobs in a batch: answered, failed (no answer yet), out of its items."""

    model: str
    answered: int
    failed: int
    total: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemError:
    """A job that failed and has no answer: its model, item and the error's sentence."""

    model: str
    item: str
    sentence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptProgress:
    """A kept batch at one moment, from the store: its state, counts per model, latest errors."""

    batch_id: str
    state: str | None
    items: int | None
    models: tuple[ModelProgress, ...]
    errors: tuple[ItemError, ...]
    last_seen: float | None

    @property
    def answered(self) -> int:
        """Jobs with an answer, every model together."""
        return sum(model.answered for model in self.models)

    @property
    def failed(self) -> int:
        """Jobs that failed and have no answer, every model together."""
        return sum(model.failed for model in self.models)

    @property
    def total(self) -> int | None:
        """Jobs in all (items × models), when the number of items is known."""
        return None if self.items is None else self.items * len(self.models)

    def quiet_for(self, now: float | None = None) -> float | None:
        """Seconds since whoever runs the batch was last heard from (a heartbeat or a run)."""
        if self.last_seen is None:
            return None
        return max(0.0, (time.time() if now is None else now) - self.last_seen)

    def active(self, now: float | None = None) -> bool:
        """True while the batch waits for a worker, or runs and was heard from recently."""
        if self.state == "queued":
            return True
        quiet = self.quiet_for(now)
        return self.state == "running" and quiet is not None and quiet < STALE_S


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """A chunk a worker holds: its batch, its items [first_item, end_item), who holds it,
    which attempt this claim is (1 for the first) of the most allowed, and, when a Retry queued
    it, the newest run id the Retry saw (failures up to it are asked again)."""

    workspace: str
    batch_id: str
    chunk: int
    first_item: int
    end_item: int
    worker: str
    attempt: int = 1
    max_attempts: int
    retry_through: int | None = None

    @property
    def items(self) -> range:
        """The item indices of the chunk."""
        return range(self.first_item, self.end_item)

    @property
    def exhausted(self) -> bool:
        """True when every allowed attempt was made before this claim: give the chunk up."""
        return self.attempt > self.max_attempts

    @property
    def last_chance(self) -> bool:
        """True when this is the last attempt allowed: if it fails, the chunk is given up."""
        return self.attempt >= self.max_attempts
