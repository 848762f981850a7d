"""A person shares one of their runs or batches with the team, or stops sharing it; both go into
the audit trail."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from vision.team.access import Person
from vision.team.records import TeamRecords
from vision.values.audit import AuditEvent, EventKind
from vision.values.sharing import ShareKind

# Run ids are SQL INTEGER: PostgreSQL's holds up to 2**31 - 1 (SQLite's more).
MAX_RUN_ID = 2**31 - 1


def run_in_link(text: str) -> int | None:
    """The run id a shared link's ?run= names: ASCII digits from 1 to MAX_RUN_ID, else None
    ("²" is a digit to str.isdigit but no number to int)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_RUN_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_RUN_ID else None


def _audit(
    records: TeamRecords, event: EventKind, me: Person, kind: ShareKind, target: str | int
) -> None:
    """Into the audit trail; a store that cannot be written is logged, and the share stands."""
    records.record_quietly(
        AuditEvent(
            event=event,
            workspace=me.workspace,
            email=me.email,
            run_id=int(target) if kind == "run" else None,
            batch_id=str(target) if kind == "batch" else None,
        )
    )


def share(records: TeamRecords, me: Person, kind: ShareKind, target: str | int) -> None:
    """Share one of this person's runs or batches (nothing happens to another's), audited."""
    if records.share(me.workspace, kind, target):
        _audit(records, "share", me, kind, target)


def unshare(records: TeamRecords, me: Person, kind: ShareKind, target: str | int) -> None:
    """Stop sharing it, audited."""
    if records.unshare(me.workspace, kind, target):
        _audit(records, "unshare", me, kind, target)


def share_link(page_url: str, kind: ShareKind, target: str | int) -> str:
    """The address a team member opens to see this shared run or batch, on the app at page_url."""
    here = urlsplit(page_url)
    base = f"{here.scheme}://{here.netloc}" if here.netloc else ""
    return f"{base}/?{urlencode([(str(kind), str(target))])}"
