"""What a team's app keeps beside the history: who signed in, what is shared with the team, and
the audit trail (metadata only) that budgets and the admin page read. These are the only queries
that look across workspaces, and each says which workspaces it reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, delete, func, insert, select, update

from vision.history.schema import timestamp
from vision.history.store import HistoryStore
from vision.history.tables import audit_events, people, runs, shares
from vision.values.run import Run, utc_now

ShareKind = Literal["run", "batch"]
EventKind = Literal[
    "sign_in", "denied", "sign_out", "answer", "failed", "stopped", "share", "unshare"
]
KeyKind = Literal["team", "own", "echo"]

# An audit export holds at most this many events (the newest).
MAX_EXPORTED_EVENTS = 100_000


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


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedBatch:
    """A batch someone shared: whose it is and its runs."""

    owner: str
    batch_id: str
    runs: tuple[Run, ...]


def day_start(moment: datetime) -> datetime:
    """Midnight UTC of the day this moment falls in."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _moment(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


class TeamRecords:
    """The team's tables in a history store's database (sharing its connections)."""

    def __init__(self, store: HistoryStore) -> None:
        self._store = store
        self._database = store._database

    # People

    def record_person(self, workspace: str, email: str, name: str | None) -> None:
        """Remember (or refresh) the address and name of a workspace's person."""
        now = timestamp(utc_now())
        with self._database.writing() as db:
            done = db.execute(
                update(people)
                .where(people.c.workspace == workspace)
                .values(email=email, name=name, last_seen=now)
            )
            if done.rowcount == 0:
                self._store._insert_new(
                    db,
                    people,
                    {"workspace": workspace, "email": email, "name": name,
                     "first_seen": now, "last_seen": now},
                )  # fmt: skip

    def people(self) -> dict[str, str]:
        """Every known workspace with its person's address."""
        with self._database.reading() as db:
            rows = db.execute(select(people.c.workspace, people.c.email)).all()
        return {str(row[0]): str(row[1]) for row in rows}

    # Sharing: an owner names a run or batch of their own; anyone may then read it by id.

    def share(self, workspace: str, kind: ShareKind, target: str | int) -> bool:
        """Share one of this workspace's runs or batches; False when it has no such thing."""
        own = self._store.for_workspace(workspace)
        exists = (
            own.get_run(int(target)) is not None
            if kind == "run"
            else bool(own.batch_runs(str(target)))
        )
        if not exists:
            return False
        with self._database.writing() as db:
            self._store._insert_new(
                db,
                shares,
                {"workspace": workspace, "kind": kind, "target": str(target),
                 "created_at": timestamp(utc_now())},
            )  # fmt: skip
        return True

    def unshare(self, workspace: str, kind: ShareKind, target: str | int) -> bool:
        """Stop sharing; False when it was not shared."""
        with self._database.writing() as db:
            done = db.execute(
                delete(shares).where(
                    shares.c.workspace == workspace,
                    shares.c.kind == kind,
                    shares.c.target == str(target),
                )
            )
            return done.rowcount > 0

    def is_shared(self, workspace: str, kind: ShareKind, target: str | int) -> bool:
        """True when this workspace shares this run or batch."""
        query = select(func.count()).where(
            shares.c.workspace == workspace, shares.c.kind == kind, shares.c.target == str(target)
        )
        with self._database.reading() as db:
            return int(db.execute(query).scalar_one()) > 0

    def shared_by(self, workspace: str) -> list[tuple[ShareKind, str]]:
        """What this workspace shares, newest first."""
        query = (
            select(shares.c.kind, shares.c.target)
            .where(shares.c.workspace == workspace)
            .order_by(shares.c.created_at.desc())
        )
        with self._database.reading() as db:
            return [(row[0], str(row[1])) for row in db.execute(query).all()]

    def shared_run(self, run_id: int) -> tuple[str, Run] | None:
        """A run its owner shares, with the owner's workspace; None for any other id."""
        query = select(runs.c.workspace).where(
            runs.c.id == run_id,
            runs.c.deleted_at.is_(None),
            select(shares.c.target)
            .where(
                and_(
                    shares.c.workspace == runs.c.workspace,
                    shares.c.kind == "run",
                    shares.c.target == str(run_id),
                )
            )
            .exists(),
        )
        with self._database.reading() as db:
            owner = db.execute(query).scalar()
        if owner is None:
            return None
        run = self._store.for_workspace(str(owner)).get_run(run_id)
        return None if run is None else (str(owner), run)

    def shared_batches(self, batch_id: str) -> list[SharedBatch]:
        """Every shared batch with this id (ids are unique per workspace, so usually one)."""
        query = select(shares.c.workspace).where(
            shares.c.kind == "batch", shares.c.target == batch_id
        )
        with self._database.reading() as db:
            owners = [str(owner) for owner in db.execute(query).scalars()]
        found = []
        for owner in sorted(owners):
            batch_runs = self._store.for_workspace(owner).batch_runs(batch_id)
            if batch_runs:
                found.append(SharedBatch(owner=owner, batch_id=batch_id, runs=tuple(batch_runs)))
        return found

    # The audit trail

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
        return _per_day(rows, self.people())


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


def last_days(days: int, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The range of the last `days` UTC days, today included."""
    end = day_start(now or utc_now()) + timedelta(days=1)
    return end - timedelta(days=days), end
