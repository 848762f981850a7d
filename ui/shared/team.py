"""The team's records (people, shares, audit) in the app's store, and the links it hands out."""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ui.shared.store import shared_store
from vision.errors import HistoryError
from vision.history.team import AuditEvent, ShareKind, TeamRecords

_LOG = logging.getLogger(__name__)


def team_records() -> TeamRecords:
    """The team's tables in the app's database; raises HistoryError."""
    return TeamRecords(shared_store())


def audit(event: AuditEvent) -> None:
    """Add to the audit trail; a store that cannot be written is logged, not shown."""
    try:
        team_records().record(event)
    except HistoryError as err:
        _LOG.warning("The audit trail could not be written: %s", err)


def share_link(kind: ShareKind, target: str | int) -> str:
    """The address a team member opens to see this shared run or batch."""
    here = urlsplit(str(st.context.url or ""))
    base = f"{here.scheme}://{here.netloc}" if here.netloc else ""
    return f"{base}/?{urlencode([(str(kind), str(target))])}"
