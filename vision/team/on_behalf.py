"""A queued batch run by a `vision worker` on behalf of its owner: what it saves is audited with
the owner's identity, as a page's Send is, and each request is held back, unsent, when it would
pass the owner's or the team's daily budget (docs/team.md)."""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable
from typing import Any

from vision.api.request import ChatClient, ChatRequest, ImageRef
from vision.api.results import ChatResult, ModelInfo, Usage
from vision.errors import VisionError
from vision.history.records import utc_now
from vision.history.store import HistoryStore
from vision.history.team import Spent, TeamRecords, day_start
from vision.images.profiles import estimate_text_tokens
from vision.team.ledger import AuditedStore
from vision.team.spending import (
    UNBOUNDED_COMPLETION_TOKENS,
    Budget,
    BudgetStopError,
    Planned,
    image_size,
    over_budget,
    request_cost,
    worst_case_tokens,
)

Prices = Callable[[str], ModelInfo | None]


def no_prices(model: str) -> ModelInfo | None:
    """No price is known for any model (the /models list could not be read)."""
    return None


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


def owner_store(store: HistoryStore, workspace: str, prices: Prices) -> AuditedStore:
    """The owner's workspace, writing an audit event (with their address) for each saved run."""
    email = TeamRecords(store).people().get(workspace)
    return AuditedStore.over(store.for_workspace(workspace), email=email, key="team", prices=prices)


def _image_tokens(model: str, image: ImageRef) -> int:
    if not image.is_data_url:
        return worst_case_tokens(model, None)
    try:
        data = base64.b64decode(image.url.split(",", 1)[1], validate=False)
    except (IndexError, binascii.Error, ValueError):
        return worst_case_tokens(model, None)
    return worst_case_tokens(model, image_size(data))


def request_need(request: ChatRequest, prices: Prices) -> Planned:
    """What one request may use: its text and images as sent, plus Max tokens (or 1,024)."""
    prompt = estimate_text_tokens(request.prompt) + estimate_text_tokens(request.system or "")
    prompt += sum(_image_tokens(request.model, image) for image in request.images)
    completion = request.max_tokens or UNBOUNDED_COMPLETION_TOKENS
    cost = request_cost(
        prices(request.model), Usage(prompt_tokens=prompt, completion_tokens=completion)
    )
    return Planned(tokens=prompt + completion, cost=cost)


def _plus(spent: Spent, held: Planned) -> Spent:
    return Spent(tokens=spent.tokens + held.tokens, cost=spent.cost + (held.cost or 0.0))


class BudgetedClient:
    """A client that checks, before each request, that it fits what is left of the owner's and
    the team's budgets today (as the audit trail of every replica and worker has it, plus this
    client's requests still in flight); one that does not fit is not sent."""

    def __init__(
        self,
        client: ChatClient,
        *,
        records: TeamRecords,
        budget: Budget,
        workspace: str,
        prices: Prices,
    ) -> None:
        self._client = client
        self._records = records
        self._budget = budget
        self._workspace = workspace
        self._prices = prices
        self._lock = threading.Lock()
        self._in_flight = Planned(tokens=0, cost=0.0)

    def _hold(self, need: Planned) -> None:
        since = day_start(utc_now())
        with self._lock:
            person = self._records.spent(since=since, workspace=self._workspace)
            team = self._records.spent(since=since)
            held = self._in_flight
            sentence = over_budget(self._budget, _plus(person, held), _plus(team, held), need)
            if sentence is not None:
                raise BudgetStopError(sentence)
            self._in_flight = Planned(
                tokens=held.tokens + need.tokens, cost=(held.cost or 0.0) + (need.cost or 0.0)
            )

    def _release(self, need: Planned) -> None:
        with self._lock:
            held = self._in_flight
            self._in_flight = Planned(
                tokens=held.tokens - need.tokens, cost=(held.cost or 0.0) - (need.cost or 0.0)
            )

    def chat(self, request: ChatRequest, /) -> ChatResult:
        """The answer, or BudgetStopError (nothing sent) when the request would pass a budget."""
        if not self._budget.limited:
            return self._client.chat(request)
        need = request_need(request, self._prices)
        self._hold(need)
        try:
            return self._client.chat(request)
        finally:
            self._release(need)

    def close(self) -> None:
        """Close the client underneath, where it can be closed."""
        close: Any = getattr(self._client, "close", None)
        if callable(close):
            close()
