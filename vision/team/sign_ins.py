"""What a sign-in, a refusal and a sign-out leave behind: the person in the people table and an
event in the audit trail. A store that cannot be written is logged, never a reason to refuse."""

from __future__ import annotations

from vision.errors import HistoryError
from vision.team.access import Denied, Person
from vision.team.records import TeamRecords
from vision.values.audit import AuditEvent


def record_sign_in(records: TeamRecords, outcome: Person | Denied) -> str | None:
    """Remember who signed in (or was refused) and audit it; the sentence to show when the
    person's details could not be kept, else None."""
    if isinstance(outcome, Denied):
        records.record_quietly(
            AuditEvent(event="denied", email=outcome.email or None, detail=outcome.reason)
        )
        return None
    problem = None
    try:
        records.record_person(outcome.workspace, outcome.email, outcome.name or None)
    except HistoryError as err:
        problem = str(err)
    records.record_quietly(
        AuditEvent(event="sign_in", workspace=outcome.workspace, email=outcome.email)
    )
    return problem


def record_sign_out(records: TeamRecords, person: Person) -> None:
    """Audit a sign-out."""
    records.record_quietly(
        AuditEvent(event="sign_out", workspace=person.workspace, email=person.email)
    )
