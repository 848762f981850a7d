"""A queued batch run by a `vision worker` on behalf of its owner: what it saves is audited with
the owner's identity, as a page's Send is, and each request is held back, unsent, when it would
pass the owner's or the team's daily budget (docs/team.md)."""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from vision.errors import BudgetStopError, VisionError
from vision.history.store import HistoryStore
from vision.images.profiles import estimate_text_tokens
from vision.images.sniff import image_size
from vision.team.ledger import AuditedStore
from vision.team.records import TeamRecords
from vision.team.spending import (
    UNBOUNDED_COMPLETION_TOKENS,
    Budget,
    Planned,
    over_budget,
    request_cost,
    worst_case_tokens,
)
from vision.values.audit import Spent, day_start
from vision.values.request import ChatClient, ChatRequest, ImageRef
from vision.values.result import ChatResult, ModelInfo, Usage
from vision.values.run import Run, utc_now

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


def _plus(spent: Spent, held: Spent) -> Spent:
    return Spent(tokens=spent.tokens + held.tokens, cost=spent.cost + held.cost)


class BudgetedClient:
    """A client that checks, before each request, that it fits what is left of the owner's and
    the team's budgets today: the audit trail of every replica and worker, plus this client's
    requests in flight (at their estimate) and answers not yet in the trail (at what the API
    reported). One that does not fit is not sent."""

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
        self._numbers = itertools.count()
        self._in_flight: dict[int, Planned] = {}
        # Answers whose audit event is not written yet: their model and reported usage.
        self._unrecorded: dict[int, tuple[str, Usage]] = {}

    def _held(self) -> Spent:
        tokens = sum(need.tokens for need in self._in_flight.values())
        cost = sum(need.cost or 0.0 for need in self._in_flight.values())
        for model, usage in self._unrecorded.values():
            tokens += (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
            cost += request_cost(self._prices(model), usage) or 0.0
        return Spent(tokens=tokens, cost=cost)

    def _hold(self, need: Planned) -> int:
        since = day_start(utc_now())
        with self._lock:
            person = self._records.spent(since=since, workspace=self._workspace)
            team = self._records.spent(since=since)
            held = self._held()
            sentence = over_budget(self._budget, _plus(person, held), _plus(team, held), need)
            if sentence is not None:
                raise BudgetStopError(sentence)
            number = next(self._numbers)
            self._in_flight[number] = need
            return number

    @property
    def limited(self) -> bool:
        """True when some budget is set (otherwise requests go straight through)."""
        return self._budget.limited

    def chat(self, request: ChatRequest, /) -> ChatResult:
        """The answer, or BudgetStopError (nothing sent) when the request would pass a budget."""
        if not self._budget.limited:
            return self._client.chat(request)
        number = self._hold(request_need(request, self._prices))
        try:
            result = self._client.chat(request)
        except BaseException:
            with self._lock:  # a failed request reports no usage to wait for
                self._in_flight.pop(number, None)
            raise
        with self._lock:
            self._in_flight.pop(number, None)
            self._unrecorded[number] = (request.model, result.usage)
        return result

    @contextmanager
    def recording(self, run: Run) -> Iterator[None]:
        """Save a run within this block: checks wait meanwhile, and its answer then counts
        through the audit trail instead of here (never both, never neither)."""
        with self._lock:
            yield
            if run.failed or run.cached:  # no request of this client's behind it
                return
            key = (run.model, run.usage.prompt_tokens, run.usage.completion_tokens)
            for number, (model, usage) in self._unrecorded.items():
                if (model, usage.prompt_tokens, usage.completion_tokens) == key:
                    del self._unrecorded[number]  # one of equal amounts: any one will do
                    return

    def close(self) -> None:
        """Close the client underneath, where it can be closed."""
        close: Any = getattr(self._client, "close", None)
        if callable(close):
            close()


class _OwnersStore(AuditedStore):
    """The owner's audited workspace, saving each run in step with the budgeted client."""

    _budgeted: BudgetedClient | None

    def save_run(self, run: Run, *, originals: Mapping[str, bytes] | None = None) -> Run:
        """Save and audit the run; the client's checks wait until its event is written."""
        if self._budgeted is None or not self._budgeted.limited:
            return super().save_run(run, originals=originals)
        with self._budgeted.recording(run):
            return super().save_run(run, originals=originals)


def owner_store(
    store: HistoryStore, workspace: str, prices: Prices, client: BudgetedClient | None = None
) -> AuditedStore:
    """The owner's workspace, writing an audit event (with their address) for each saved run,
    in step with the client that asks for them."""
    email = TeamRecords(store).people().get(workspace)
    view = _OwnersStore.over(store.for_workspace(workspace), email=email, key="team", prices=prices)
    assert isinstance(view, _OwnersStore)
    view._budgeted = client
    return view
