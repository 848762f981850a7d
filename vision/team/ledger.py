"""The history seen through the audit trail: every run saved (one answered or failed request)
also becomes an audit event with its tokens, cost and whose key paid (a request a budget held
back, unsent, becomes a "stopped" event), and a run made with a key the person pasted is marked
as such. Metadata only: the event holds no prompt, image or key."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import replace

from vision.errors import HistoryError
from vision.export.runs import OWN_KEY_PARAM, OWN_KEY_VALUE
from vision.history.store import HistoryStore
from vision.team.records import TeamRecords
from vision.team.reservations import Reservations
from vision.team.spending import request_cost
from vision.values.audit import AuditEvent, KeyKind
from vision.values.batch import Originals
from vision.values.result import ModelInfo
from vision.values.run import Run

_LOG = logging.getLogger(__name__)


class AuditedStore(HistoryStore):
    """A history store (one workspace) that writes an audit event for every run it saves."""

    _email: str | None
    _key: KeyKind
    _prices: Callable[[str], ModelInfo | None]
    _reservations: Reservations | None

    @classmethod
    def over(
        cls,
        store: HistoryStore,
        *,
        email: str | None,
        key: KeyKind,
        prices: Callable[[str], ModelInfo | None],
        reservations: Reservations | None = None,
    ) -> AuditedStore:
        """The same database and workspace, auditing what is saved (the connections stay the
        given store's)."""
        view = copy.copy(store)
        view.__class__ = cls
        assert isinstance(view, AuditedStore)
        view._owner = False
        view._email = email
        view._key = key
        view._prices = prices
        view._reservations = reservations
        return view

    def save_run(self, run: Run, *, originals: Originals | None = None) -> Run:
        """Save the run (marked when made with the person's own key), then audit it; with the
        team's budgets, its reservation gives way to its audit event in one step."""
        if self._key == "own":
            run = replace(run, params={**run.params, OWN_KEY_PARAM: OWN_KEY_VALUE})
        saved = super().save_run(run, originals=originals)
        if self._reservations is None:
            return self._audit(saved)
        with self._reservations.recording(self.workspace, saved):
            return self._audit(saved)

    def _audit(self, saved: Run) -> Run:
        event = AuditEvent(
            event="stopped" if saved.not_sent else "failed" if saved.failed else "answer",
            workspace=self.workspace,
            email=self._email,
            model=saved.model,
            run_id=saved.id,
            batch_id=saved.batch_id,
            images=len(saved.images),
            prompt_tokens=saved.usage.prompt_tokens,
            completion_tokens=saved.usage.completion_tokens,
            cost=request_cost(self._prices(saved.model), saved.usage),
            key=self._key,
            # A request held back says why (the budget's numbers, never the prompt).
            detail=saved.error if saved.not_sent else saved.kind,
        )
        try:
            TeamRecords(self).record(event)
        except HistoryError as err:  # the answer is saved; the trail misses one line
            _LOG.warning("The audit trail could not be written: %s", err)
        return saved


def made_with_own_key(run: Run) -> bool:
    """True for a run made with a key the person pasted for their session."""
    return run.params.get(OWN_KEY_PARAM) == OWN_KEY_VALUE
