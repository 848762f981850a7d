"""Fair use of the API by one replica: a cap on requests in flight across all its sessions and
per person, so one large batch cannot starve everyone's Playground; a rate-limit 429 on the
team's key pauses the next request of every session on that key together (a person's own key,
the echo, and a 429 about quota or credit pause nobody else); and a person whose daily budget is
spent sends nothing.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from vision.api.arguments import make_request
from vision.api.client import VisionClient
from vision.api.stream_state import StreamPiece
from vision.errors import GateError
from vision.team.reservations import Reserve
from vision.values.request import ChatRequest
from vision.values.result import ChatResult

MAX_IN_FLIGHT_ENV = "VISION_MAX_IN_FLIGHT"
MAX_IN_FLIGHT_PER_PERSON_ENV = "VISION_MAX_IN_FLIGHT_PER_PERSON"
DEFAULT_MAX_IN_FLIGHT = 16
DEFAULT_MAX_IN_FLIGHT_PER_PERSON = 4
# However long a server asks everyone to wait, the pause is at most this long.
MAX_PAUSE_S = 60.0


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise GateError(f"{name} must be a whole number of at least 1; it is {raw!r}.")
    return int(raw)


class InFlightGate:
    """Slots for requests in flight: at most `total` at once, `per_person` for one person."""

    def __init__(self, *, total: int, per_person: int) -> None:
        self.total = total
        self.per_person = per_person
        self._cond = threading.Condition()
        self._running = 0
        self._by_person: Counter[str] = Counter()
        self._paused_until = 0.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InFlightGate:
        """Limits from VISION_MAX_IN_FLIGHT and VISION_MAX_IN_FLIGHT_PER_PERSON."""
        env = os.environ if environ is None else environ
        return cls(
            total=_count(env, MAX_IN_FLIGHT_ENV, DEFAULT_MAX_IN_FLIGHT),
            per_person=_count(env, MAX_IN_FLIGHT_PER_PERSON_ENV, DEFAULT_MAX_IN_FLIGHT_PER_PERSON),
        )

    def _blocked(self, person: str, team_key: bool) -> float | None:
        """None when a request may start now, else how long to wait at most before looking
        again (0: until a slot frees)."""
        pause = self._paused_until - time.monotonic()
        if team_key and pause > 0:
            return pause
        if self._running >= self.total or self._by_person[person] >= self.per_person:
            return 0.0
        return None

    @contextmanager
    def slot(self, person: str, *, team_key: bool = True) -> Iterator[None]:
        """Hold one of the replica's and this person's slots while the block runs; a request on
        the team's key also waits out a pause the team's rate limit asked for."""
        with self._cond:
            while (wait := self._blocked(person, team_key)) is not None:
                self._cond.wait(timeout=wait or None)
            self._running += 1
            self._by_person[person] += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._by_person[person] -= 1
                if not self._by_person[person]:
                    del self._by_person[person]
                self._cond.notify_all()

    def slow_down(self, seconds: float) -> None:
        """Hold every team-key request that has not started yet for this long (the team's key
        got a rate-limit 429)."""
        with self._cond:
            until = time.monotonic() + min(max(seconds, 0.0), MAX_PAUSE_S)
            self._paused_until = max(self._paused_until, until)
            self._cond.notify_all()

    def in_flight(self) -> tuple[int, dict[str, int]]:
        """Requests in flight now: in all, and per person."""
        with self._cond:
            return self._running, dict(self._by_person)


_gate: InFlightGate | None = None
_gate_lock = threading.Lock()


def replica_gate() -> InFlightGate:
    """This process's gate (made on first use from the environment)."""
    global _gate
    with _gate_lock:
        if _gate is None:
            _gate = InFlightGate.from_env()
        return _gate


class GatedClient(VisionClient):
    """A client whose requests take a slot of the gate for one person, then (with the team's
    budgets) reserve what they may use; a reservation refused (BudgetStopError) sends nothing.
    With `team_key`, the client spends the team's key: its rate-limit 429s pause the gate for
    every team-key request, and it waits out such pauses; otherwise it neither causes nor
    waits for them."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        gate: InFlightGate,
        person: str,
        team_key: bool,
        reserve: Reserve | None = None,
        **options: Any,
    ) -> None:
        listener = gate.slow_down if team_key else None
        super().__init__(base_url, api_key, on_rate_limited=listener, **options)
        self._gate = gate
        self._person = person
        self._team_key = team_key
        self._reserve = reserve

    def chat(self, request: ChatRequest | None = None, **fields: Any) -> ChatResult:
        """As VisionClient.chat, within the gate and the budgets."""
        made = make_request(request, fields)
        with self._gate.slot(self._person, team_key=self._team_key):
            hold = self._reserve(made) if self._reserve is not None else None
            try:
                result = super().chat(made)
            except BaseException:
                if hold is not None:
                    hold.release()
                raise
            if hold is not None:
                hold.answered(made.model, result.usage)
            return result

    def stream(
        self, request: ChatRequest | None = None, **fields: Any
    ) -> Iterator[StreamPiece | ChatResult]:
        """As VisionClient.stream, holding the slot (and the reservation) until the answer has
        arrived."""
        return self._within(make_request(request, fields))

    def _within(self, request: ChatRequest) -> Iterator[StreamPiece | ChatResult]:
        with self._gate.slot(self._person, team_key=self._team_key):
            hold = self._reserve(request) if self._reserve is not None else None
            final: ChatResult | None = None
            try:
                for part in super().stream(request):
                    if isinstance(part, ChatResult):
                        final = part
                    yield part
            except BaseException:
                # Failed or cut short: the API reported no usage to hold.
                if hold is not None:
                    hold.release()
                raise
            if hold is not None:
                if final is not None and final.usage.total_tokens is not None:
                    hold.answered(request.model, final.usage)
                else:
                    hold.release()
