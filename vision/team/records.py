"""The team's records in a history store's database: who signed in, what is shared, and the
audit trail. These are the only queries that look across workspaces; each says which it reads."""

from __future__ import annotations

import logging

from vision.errors import HistoryError
from vision.history.audit import AuditTrail
from vision.history.people import People
from vision.history.shares import Shares
from vision.values.audit import AuditEvent

_LOG = logging.getLogger(__name__)


class TeamRecords(People, Shares, AuditTrail):
    """People, shares and the audit trail of one database (sharing the store's connections)."""

    def record_quietly(self, event: AuditEvent) -> None:
        """Add to the audit trail; a store that cannot be written is logged, not shown (what
        the person did stands either way)."""
        try:
            self.record(event)
        except HistoryError as err:
            _LOG.warning("The audit trail could not be written: %s", err)
