"""The audit trail (metadata only) that budgets and the admin page read: the only record that
looks across every workspace's use of the team's key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select

from vision.history.schema import timestamp
from vision.history.store import HistoryStore
from vision.history.tables import audit_events, people
from vision.values.audit import AUDIT_FIELDS, AuditEvent, Spent, UsageRow

# An audit export holds at most this many events (the newest).
MAX_EXPORTED_EVENTS = 100_000


class AuditTrail:
    """The audit table of a history store's database (it spans every workspace)."""

    def __init__(self, store: HistoryStore) -> None:
        self._store = store
        self._database = store._database

    def record(self, event: AuditEvent) -> AuditEvent:
        """Add an event to the audit trail; return it with its id."""
        values: dict[str, Any] = {name: getattr(event, name) for name in AUDIT_FIELDS}
        values["created_at"] = timestamp(event.created_at)
        with self._database.writing() as db:
            inserted = db.execute(insert(audit_events).values(values))
        key = inserted.inserted_primary_key
        assert key is not None
        return replace(event, id=int(key[0]))

    def events(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = MAX_EXPORTED_EVENTS,
    ) -> list[AuditEvent]:
        """Audit events, newest first, in a time range."""
        query = select(audit_events)
        if since is not None:
            query = query.where(audit_events.c.created_at >= timestamp(since))
        if until is not None:
            query = query.where(audit_events.c.created_at < timestamp(until))
        query = query.order_by(audit_events.c.created_at.desc(), audit_events.c.id.desc())
        with self._database.reading() as db:
            rows = list(db.execute(query.limit(limit)).mappings())
        return [
            AuditEvent(
                id=int(row["id"]),
                **{name: row[name] for name in AUDIT_FIELDS if name != "created_at"},
                created_at=_moment(float(row["created_at"])),
            )
            for row in rows
        ]

    def spent(self, *, since: datetime, workspace: str | None = None) -> Spent:
        """Tokens and cost of the team key's requests since a moment, for one workspace or all
        (what the API reported, as every replica recorded it)."""
        query = select(
            func.coalesce(func.sum(audit_events.c.prompt_tokens), 0),
            func.coalesce(func.sum(audit_events.c.completion_tokens), 0),
            func.coalesce(func.sum(audit_events.c.cost), 0.0),
        ).where(
            audit_events.c.event.in_(("answer", "failed")),
            audit_events.c.key == "team",
            audit_events.c.created_at >= timestamp(since),
        )
        if workspace is not None:
            query = query.where(audit_events.c.workspace == workspace)
        with self._database.reading() as db:
            prompt, completion, cost = db.execute(query).one()
        return Spent(tokens=int(prompt) + int(completion), cost=float(cost))

    def usage(self, *, since: datetime, until: datetime) -> list[UsageRow]:
        """The team key's use per UTC day, person and model, oldest day first."""
        query = (
            select(
                audit_events.c.created_at,
                audit_events.c.workspace,
                audit_events.c.email,
                audit_events.c.model,
                audit_events.c.prompt_tokens,
                audit_events.c.completion_tokens,
                audit_events.c.cost,
            )
            .where(
                audit_events.c.event.in_(("answer", "failed")),
                audit_events.c.key == "team",
                audit_events.c.created_at >= timestamp(since),
                audit_events.c.created_at < timestamp(until),
            )
            .order_by(audit_events.c.created_at)
        )
        with self._database.reading() as db:
            rows = db.execute(query).all()
            named = db.execute(select(people.c.workspace, people.c.email)).all()
        return _per_day(rows, {str(row[0]): str(row[1]) for row in named})


def _moment(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def _per_day(rows: Iterable[Any], names: dict[str, str]) -> list[UsageRow]:
    """Rows summed per (UTC day, workspace, model); a day is cut in Python, the same on both
    engines."""
    sums: dict[tuple[str, str, str], list[Any]] = {}
    emails: dict[str, str] = {}
    for created_at, workspace, email, model, prompt, completion, cost in rows:
        day = _moment(float(created_at)).strftime("%Y-%m-%d")
        owner = str(workspace or "")
        emails.setdefault(owner, str(email or names.get(owner, owner)))
        entry = sums.setdefault((day, owner, str(model or "")), [0, 0, 0, None])
        entry[0] += 1
        entry[1] += int(prompt or 0)
        entry[2] += int(completion or 0)
        if cost is not None:
            entry[3] = (entry[3] or 0.0) + float(cost)
    return [
        UsageRow(
            day=day,
            workspace=owner,
            email=names.get(owner, emails[owner]),
            model=model,
            requests=entry[0],
            prompt_tokens=entry[1],
            completion_tokens=entry[2],
            cost=entry[3],
        )
        for (day, owner, model), entry in sorted(sums.items())
    ]
