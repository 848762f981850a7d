"""The admin's exports: usage per day, person and model, and the audit trail, as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from vision.spreadsheet import safe_cell
from vision.values.audit import AUDIT_FIELDS, AuditEvent, UsageRow

USAGE_COLUMNS = (
    "day", "email", "model", "requests", "prompt_tokens", "completion_tokens", "tokens", "cost",
)  # fmt: skip
AUDIT_COLUMNS = ("id", *AUDIT_FIELDS)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def usage_csv(rows: Iterable[UsageRow]) -> str:
    """One line per day, person and model (cost empty where no price was known)."""
    return _csv(
        USAGE_COLUMNS,
        (
            (row.day, row.email, row.model, row.requests, row.prompt_tokens,
             row.completion_tokens, row.tokens, "" if row.cost is None else f"{row.cost:.6f}")
            for row in rows
        ),
    )  # fmt: skip


def audit_csv(events: Iterable[AuditEvent]) -> str:
    """One line per event, times in UTC (ISO 8601); metadata only, as recorded."""
    return _csv(
        AUDIT_COLUMNS,
        (
            (
                event.id,
                *(
                    event.created_at.isoformat() if name == "created_at" else
                    ("" if getattr(event, name) is None else getattr(event, name))
                    for name in AUDIT_FIELDS
                ),
            )
            for event in events
        ),
    )  # fmt: skip


def usage_totals(rows: Iterable[UsageRow]) -> dict[str, dict[str, int]]:
    """Tokens per day and person, for a chart: {day: {email: tokens}}."""
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        per_person = totals.setdefault(row.day, {})
        per_person[row.email] = per_person.get(row.email, 0) + row.tokens
    return totals
