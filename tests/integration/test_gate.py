"""A replica's fair use of the API against the echo backend on loopback: the in-flight caps hold
across sessions and per person, a rate-limit 429 on the team's key pauses every team-key
session's next request, a refused reservation sends nothing."""

from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import ECHO_API_KEY
from vision.echo import EchoServer
from vision.echo.faults import Fault
from vision.errors import BudgetError, BudgetStopError, GateError
from vision.team.gate import GatedClient, InFlightGate
from vision.team.reservations import Hold

MODEL = "Qwen/Qwen2-VL-7B-Instruct"


def _client(echo: EchoServer, gate: InFlightGate, person: str, **kw: object) -> GatedClient:
    kw.setdefault("team_key", True)
    return GatedClient(echo.base_url, ECHO_API_KEY, gate=gate, person=person, **kw)  # type: ignore[arg-type]


def test_one_persons_large_batch_leaves_room_for_everyone_else():
    with EchoServer(api_key=ECHO_API_KEY, token_delay_s=0.05) as echo:
        gate = InFlightGate(total=3, per_person=2)
        peak: dict[str, int] = {}
        peak_total = 0
        stop = threading.Event()

        def watch() -> None:
            nonlocal peak_total
            while not stop.is_set():
                total, by_person = gate.in_flight()
                peak_total = max(peak_total, total)
                for person, count in by_person.items():
                    peak[person] = max(peak.get(person, 0), count)
                time.sleep(0.005)

        batch = _client(echo, gate, "alice")
        playground = _client(echo, gate, "bob")
        watcher = threading.Thread(target=watch)
        watcher.start()
        workers = [
            threading.Thread(target=lambda: list(batch.stream(model=MODEL, prompt="item")))
            for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        time.sleep(0.2)  # the batch is under way and holds its two slots
        started = time.monotonic()
        answer = playground.chat(model=MODEL, prompt="my own question")
        bob_waited = time.monotonic() - started
        for worker in workers:
            worker.join()
        stop.set()
        watcher.join()
        assert "my own question" in answer.text
        assert peak["alice"] == 2
        assert peak_total <= 3
        # Bob did not queue behind alice's eight requests (each takes a while to stream).
        assert bob_waited < 2.0
        assert gate.in_flight() == (0, {})


def test_a_rate_limit_429_on_the_team_key_pauses_every_team_sessions_next_request(
    echo: EchoServer,
):
    gate = InFlightGate(total=8, per_person=4)
    echo.add_fault(Fault(kind="status", status=429, headers={"Retry-After": "1"}, times=1))
    alice, bob = _client(echo, gate, "alice"), _client(echo, gate, "bob")
    first = threading.Thread(target=lambda: alice.chat(model=MODEL, prompt="hit the limit"))
    first.start()
    time.sleep(0.3)  # alice's request got its 429 and waits to retry
    started = time.monotonic()
    bob.chat(model=MODEL, prompt="after the pause")
    waited = time.monotonic() - started
    first.join()
    assert waited >= 0.5  # bob's request waited with alice's instead of adding to the load


def test_a_reservation_that_refuses_sends_nothing(echo: EchoServer):
    gate = InFlightGate(total=2, per_person=1)

    def spent(request: object) -> Hold:
        raise BudgetStopError("Not sent: the budget is spent.")

    client = _client(echo, gate, "alice", reserve=spent)
    before = len(echo.chat_requests)
    with pytest.raises(BudgetError):
        client.chat(model=MODEL, prompt="x")
    with pytest.raises(BudgetError):
        list(client.stream(model=MODEL, prompt="x"))  # the stream reserves when it starts
    assert len(echo.chat_requests) == before


def test_bad_limits_are_a_sentence():
    with pytest.raises(GateError, match="VISION_MAX_IN_FLIGHT must be a whole number"):
        InFlightGate.from_env({"VISION_MAX_IN_FLIGHT": "0"})
    gate = InFlightGate.from_env({"VISION_MAX_IN_FLIGHT_PER_PERSON": "2"})
    assert (gate.total, gate.per_person) == (16, 2)
