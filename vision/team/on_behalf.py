"""A queued batch run by a `vision worker` on behalf of its owner: what it saves is audited with
the owner's identity, as a page's Send is, and each request is held back, unsent, when it would
pass the owner's or the team's daily budget (the same holds as the page's: reservations.py)."""

from __future__ import annotations

from typing import Any

from vision.errors import VisionError
from vision.history.store import HistoryStore
from vision.team.ledger import AuditedStore
from vision.team.records import TeamRecords
from vision.team.reservations import Prices, Reservations, no_prices
from vision.values.request import ChatClient, ChatRequest
from vision.values.result import ChatResult, ModelInfo


def catalog_prices(client: object) -> Prices:
    """The prices /models gives, read once through this client (none when it cannot list)."""
    lister = getattr(client, "list_models", None)
    if not callable(lister):
        return no_prices
    try:
        listed: list[ModelInfo] = lister()
    except VisionError:
        return no_prices
    found = {info.id: info for info in listed}
    return found.get


class BudgetedClient:
    """A client whose every request first reserves what it may use on the owner's and the
    team's budgets today (the audit trail of every replica and worker, plus the holds of this
    process); one that does not fit is not sent (BudgetStopError)."""

    def __init__(self, client: ChatClient, *, reservations: Reservations, workspace: str) -> None:
        self._client = client
        self.reservations = reservations
        self._workspace = workspace

    def chat(self, request: ChatRequest, /) -> ChatResult:
        """The answer, or BudgetStopError (nothing sent) when the request would pass a budget."""
        if not self.reservations.limited:
            return self._client.chat(request)
        hold = self.reservations.hold(self._workspace, request)
        try:
            result = self._client.chat(request)
        except BaseException:
            hold.release()  # a failed request reports no usage to hold
            raise
        hold.answered(request.model, result.usage)
        return result

    def close(self) -> None:
        """Close the client underneath, where it can be closed."""
        close: Any = getattr(self._client, "close", None)
        if callable(close):
            close()


def owner_store(
    store: HistoryStore, workspace: str, prices: Prices, client: BudgetedClient | None = None
) -> AuditedStore:
    """The owner's workspace, writing an audit event (with their address) for each saved run;
    with a budgeted client, each answer's hold gives way to its audit event."""
    email = TeamRecords(store).people().get(workspace)
    reservations = (
        client.reservations if client is not None and client.reservations.limited else None
    )
    return AuditedStore.over(
        store.for_workspace(workspace),
        email=email,
        key="team",
        prices=prices,
        reservations=reservations,
    )
