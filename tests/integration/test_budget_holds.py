"""Budgets that hold when several tabs press Send at once: each request reserves what it may use
when it takes its slot (the page's clients, made as the sidebar makes them, on one replica's
gate), answers are saved and audited as the page saves them, and the echo on loopback counts
what was really sent."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from tests.conftest import ECHO_API_KEY
from vision.connection import Backend, new_client
from vision.echo import EchoServer, Fault
from vision.errors import BudgetStopError, VisionError
from vision.history.store import HistoryStore
from vision.team import gate
from vision.team.gate import InFlightGate
from vision.team.ledger import AuditedStore
from vision.team.records import TeamRecords
from vision.team.reservations import Reservations, request_need, reserving
from vision.team.spending import Budget
from vision.values.audit import day_start
from vision.values.request import ChatRequest
from vision.values.run import run_from_result, utc_now

MODEL = "Qwen/Qwen2-VL-7B-Instruct"
ALICE = "alice-workspace"


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh gate for this process, as a new replica starts with."""
    monkeypatch.setattr(gate, "_gate", None)


def _tab(echo: EchoServer, reservations: Reservations) -> Backend:
    """One browser tab of Alice's on the team's key, as the sidebar builds it."""
    return Backend(
        base_url=echo.base_url,
        api_key=ECHO_API_KEY,
        key_source="environment",
        workspace=ALICE,
        reserve=reserving(reservations, ALICE),
    )


def _send(backend: Backend, store: AuditedStore, request: ChatRequest) -> str:
    """Ask and save as the page does; what happened, as a word."""
    with new_client(backend) as client:
        try:
            outcome = client.chat(request)
        except BudgetStopError:
            return "held"
        except VisionError:
            return "failed"
    store.save_run(run_from_result(request, outcome))
    return "answered"


def _spent(echo: EchoServer, store: HistoryStore) -> int:
    """Tokens the API reported for every answer the audit trail holds."""
    return TeamRecords(store).spent(since=day_start(utc_now()), workspace=ALICE).tokens


def test_four_tabs_pressing_send_together_stay_within_the_persons_budget(history_db, replica):
    # Short answers (the echo stops at Max tokens), so each costs about its estimate.
    request = ChatRequest(model=MODEL, prompt="Describe this receipt. " * 20, max_tokens=8)
    with (
        EchoServer(api_key=ECHO_API_KEY, ttft_s=0.3, record_bodies=True) as echo,
        HistoryStore(url=history_db.url) as shared,
    ):
        reservations = Reservations(TeamRecords(shared), Budget())
        need = request_need(request, reservations.prices).tokens
        # Room for five and a half requests: sixteen pressed at once may not all go.
        budget = Budget(person_tokens=need * 5 + need // 2)
        reservations.budget = budget
        store = AuditedStore.over(
            shared.for_workspace(ALICE),
            email="alice@team.example",
            key="team",
            prices=reservations.prices,
            reservations=reservations,
        )
        start = threading.Barrier(16)
        outcomes: list[str] = []

        def press(tab: Backend) -> None:
            start.wait()
            outcomes.append(_send(tab, store, request))

        # Four tabs, each pressing Send for four models at once.
        tabs = [_tab(echo, reservations) for _ in range(4)]
        threads = [threading.Thread(target=press, args=(tab,)) for tab in tabs for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        sent = len(echo.chat_requests)
        spent = _spent(echo, shared)
    assert outcomes.count("answered") == sent
    assert outcomes.count("held") == 16 - sent
    assert 1 <= sent <= 5
    assert spent <= budget.person_tokens


def test_queued_requests_reserve_when_they_take_their_slot_not_before(history_db, replica):
    # One slot per person and a 200-token budget: ten requests queued behind each other may
    # not all pass a check made before they waited.
    request = ChatRequest(model=MODEL, prompt="Read the total.", max_tokens=40)
    budget = Budget(person_tokens=200)
    with (
        EchoServer(api_key=ECHO_API_KEY, ttft_s=0.2, record_bodies=True) as echo,
        HistoryStore(url=history_db.url) as shared,
    ):
        reservations = Reservations(TeamRecords(shared), budget)
        need = request_need(request, reservations.prices).tokens
        store = AuditedStore.over(
            shared.for_workspace(ALICE), email=None, key="team",
            prices=reservations.prices, reservations=reservations,
        )  # fmt: skip
        tab = _tab(echo, reservations)
        gate._gate = InFlightGate(total=16, per_person=1)
        outcomes: list[str] = []
        threads = [
            threading.Thread(target=lambda: outcomes.append(_send(tab, store, request)))
            for _ in range(10)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        sent = len(echo.chat_requests)
        spent = _spent(echo, shared)
    assert 1 <= sent < 10
    assert spent <= budget.person_tokens
    assert outcomes.count("held") == 10 - sent
    # Each answer costs less than its estimate, so what fits is at least what the estimates
    # allowed, and never what a check before the queue let through (all ten).
    assert sent >= budget.person_tokens // need


def test_a_failed_request_gives_its_hold_back(history_db, replica):
    request = ChatRequest(model=MODEL, prompt="x", max_tokens=50)
    with (
        EchoServer(api_key=ECHO_API_KEY, record_bodies=True) as echo,
        HistoryStore(url=history_db.url) as shared,
    ):
        reservations = Reservations(TeamRecords(shared), Budget(person_tokens=200))
        need = request_need(request, reservations.prices).tokens
        store = AuditedStore.over(
            shared.for_workspace(ALICE), email=None, key="team",
            prices=reservations.prices, reservations=reservations,
        )  # fmt: skip
        tab = _tab(echo, reservations)
        echo.add_fault(Fault(kind="status", status=400, body={"detail": "no"}, times=10))
        assert [_send(tab, store, request) for _ in range(10)] == ["failed"] * 10
        echo.clear_faults()
        # Nothing failed is held: the budget still takes as many as it ever could.
        answered = [_send(tab, store, replace(request)) for _ in range(200 // need)]
    assert answered == ["answered"] * (200 // need)
