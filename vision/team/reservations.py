"""Holds on today's budgets: a request with the team's key reserves what it may use when it takes
its slot, counts what the API reported once it has answered, and gives the hold up when its
audit event is written (then the trail counts it) or when it fails. Every client of one process
checks against the same holds, so ten tabs pressing Send at once cannot pass a budget together;
across replicas the audit trail is what they share (docs/team.md)."""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from vision.errors import BudgetStopError
from vision.images.profiles import estimate_text_tokens
from vision.images.sniff import image_size
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
from vision.values.request import ChatRequest, ImageRef
from vision.values.result import ModelInfo, Usage
from vision.values.run import Run, utc_now

Prices = Callable[[str], ModelInfo | None]


def no_prices(model: str) -> ModelInfo | None:
    """No price is known for any model (the /models list could not be read)."""
    return None


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
    for turn in request.history:
        prompt += estimate_text_tokens(turn.prompt) + estimate_text_tokens(turn.answer)
        prompt += sum(_image_tokens(request.model, image) for image in turn.images)
    completion = request.max_tokens or UNBOUNDED_COMPLETION_TOKENS
    cost = request_cost(
        prices(request.model), Usage(prompt_tokens=prompt, completion_tokens=completion)
    )
    return Planned(tokens=prompt + completion, cost=cost)


@dataclass(slots=True)
class _Held:
    workspace: str
    day: float
    tokens: int
    cost: float
    answered: tuple[str, Usage] | None = None  # the model and the usage it reported


class Reservations:
    """The holds of one process on the daily budgets of one team (a budget of None: no holds)."""

    def __init__(self, records: TeamRecords, budget: Budget, prices: Prices = no_prices) -> None:
        self._records = records
        self.budget = budget
        # The team key's prices (from /models), the same for every person of the process.
        self.prices = prices
        self._lock = threading.Lock()
        self._numbers = itertools.count()
        self._held: dict[int, _Held] = {}

    @property
    def limited(self) -> bool:
        """True when some budget is set (otherwise nothing is held)."""
        return self.budget.limited

    def _spent(self, day: float, workspace: str | None) -> Spent:
        holds = [
            held
            for held in self._held.values()
            if held.day == day and (workspace is None or held.workspace == workspace)
        ]
        return Spent(
            tokens=sum(held.tokens for held in holds), cost=sum(held.cost for held in holds)
        )

    def hold(self, workspace: str, request: ChatRequest) -> Hold:
        """Reserve what a request may use; BudgetStopError (nothing reserved, nothing to send)
        when it would pass the person's or the team's budget with what is spent and held."""
        prices = self.prices
        need = request_need(request, prices)
        today = day_start(utc_now())
        day = today.timestamp()
        with self._lock:
            # Holds from an earlier day no longer count: that day's budget is closed.
            self._held = {n: held for n, held in self._held.items() if held.day == day}
            person = _plus(self._records.spent(since=today, workspace=workspace),
                           self._spent(day, workspace))  # fmt: skip
            team = _plus(self._records.spent(since=today), self._spent(day, None))
            sentence = over_budget(self.budget, person, team, need)
            if sentence is not None:
                raise BudgetStopError(sentence)
            number = next(self._numbers)
            self._held[number] = _Held(
                workspace=workspace, day=day, tokens=need.tokens, cost=need.cost or 0.0
            )
        return Hold(self, number, prices)

    def _answered(self, number: int, model: str, usage: Usage, cost: float | None) -> None:
        with self._lock:
            held = self._held.get(number)
            if held is not None:
                held.tokens = (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
                held.cost = cost or 0.0
                held.answered = (model, usage)

    def _release(self, number: int) -> None:
        with self._lock:
            self._held.pop(number, None)

    @contextmanager
    def recording(self, workspace: str, run: Run) -> Iterator[None]:
        """Write a run's audit event within this block: checks wait meanwhile, and the answer
        then counts through the trail instead of its hold (never both, never neither)."""
        with self._lock:
            yield
            if run.failed or run.cached:  # no request behind it holds anything
                return
            key = (run.model, run.usage.prompt_tokens, run.usage.completion_tokens)
            for number, held in self._held.items():
                if held.workspace == workspace and held.answered is not None:
                    model, usage = held.answered
                    if (model, usage.prompt_tokens, usage.completion_tokens) == key:
                        del self._held[number]  # one of equal amounts: any one will do
                        return


class Hold:
    """One request's claim on the budgets, from its slot until the trail counts it."""

    def __init__(self, reservations: Reservations, number: int, prices: Prices) -> None:
        self._reservations = reservations
        self._number = number
        self._prices = prices

    def answered(self, model: str, usage: Usage) -> None:
        """The answer arrived: hold what the API reported until its audit event is written."""
        cost = request_cost(self._prices(model), usage)
        self._reservations._answered(self._number, model, usage, cost)

    def release(self) -> None:
        """The request failed or was never sent: hold nothing."""
        self._reservations._release(self._number)


# What a client calls when a request takes its slot: the request's hold, or BudgetStopError.
Reserve = Callable[[ChatRequest], Hold]


def reserving(reservations: Reservations, workspace: str) -> Reserve:
    """The reserve step of one person's requests."""

    def reserve(request: ChatRequest) -> Hold:
        return reservations.hold(workspace, request)

    return reserve


def _plus(spent: Spent, held: Spent) -> Spent:
    return Spent(tokens=spent.tokens + held.tokens, cost=spent.cost + held.cost)
