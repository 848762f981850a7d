"""What the audit trail holds: one event per sign-in, answer or share, whose key paid, and the
team key's use summed per day, person and model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from vision.values.run import utc_now

EventKind = Literal[
    "sign_in", "denied", "sign_out", "answer", "failed", "stopped", "share", "unshare"
]
KeyKind = Literal["team", "own", "echo"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One line of the audit trail: who, when, what, with which model and at what cost."""

    id: int = 0
    created_at: datetime = field(default_factory=utc_now)
    event: EventKind
    workspace: str | None = None
    email: str | None = None
    model: str | None = None
    run_id: int | None = None
    batch_id: str | None = None
    images: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    key: KeyKind | None = None
    detail: str | None = None


AUDIT_FIELDS = tuple(name for name in AuditEvent.__dataclass_fields__ if name != "id")


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRow:
    """One person's use of one model on one UTC day, with the team's key."""

    day: str
    workspace: str
    email: str
    model: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None

    @property
    def tokens(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True, kw_only=True)
class Spent:
    """Tokens and money used so far (money counts only the requests whose price was known)."""

    tokens: int = 0
    cost: float = 0.0


def day_start(moment: datetime) -> datetime:
    """Midnight UTC of the day this moment falls in."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def last_days(days: int, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The range of the last `days` UTC days, today included."""
    end = day_start(now or utc_now()) + timedelta(days=1)
    return end - timedelta(days=days), end
