"""Budgets on the page: what is left today, and the one sentence that stops a Send or a batch
before anything is sent. They apply to the team's key when people sign in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ui.shared.records import replica_reservations, team_records
from vision.api.catalog import Catalog
from vision.batch.items.sizing import page_sizing
from vision.batch.items.uploads import PageItems
from vision.chat.plan import RunPlan
from vision.connection import Backend
from vision.errors import VisionError
from vision.team.reservations import Reserve, reserving
from vision.team.spending import (
    Budget,
    Planned,
    left_line,
    over_budget,
    planned,
    planned_batch,
)
from vision.values.audit import Spent, day_start
from vision.values.run import utc_now


def team_reserve(workspace: str, catalog: Catalog | None) -> Reserve:
    """The reservation each of this person's requests with the team's key makes when it takes
    its slot (BudgetStopError when it would pass a budget); the catalog's prices price it."""
    reservations = replica_reservations()
    if catalog is not None:
        reservations.prices = catalog.info
    return reserving(reservations, workspace)


def _applies(backend: Backend | None) -> bool:
    return backend is not None and bool(backend.workspace) and backend.key_kind == "team"


def _spent(workspace: str) -> tuple[Spent, Spent]:
    records = team_records()
    since = day_start(utc_now())
    return records.spent(since=since, workspace=workspace), records.spent(since=since)


def _verdict(backend: Backend | None, plan: Callable[[], Planned]) -> str | None:
    """The budget's sentence for what `plan` estimates (worked out only when a budget is set)."""
    if backend is None or not _applies(backend):
        return None
    try:
        budget = Budget.from_env()
        if not budget.limited:
            return None
        return over_budget(budget, *_spent(backend.workspace), plan())
    except VisionError as err:
        return str(err)


def budget_note(backend: Backend | None) -> None:
    """What is left of today's budgets, as a caption (nothing when none is set)."""
    if backend is None or not _applies(backend):
        return
    try:
        line = left_line(Budget.from_env(), *_spent(backend.workspace))
    except VisionError as err:
        line = str(err)
    if line:
        st.caption(f":material/account_balance_wallet: {line}")


def send_budget_blocker(backend: Backend | None, plan: RunPlan | None) -> str | None:
    """Why this Send would pass a budget, naming the numbers; None when it fits."""
    if plan is None or not plan.asks:
        return None
    return _verdict(backend, lambda: planned(ask.preflight for ask in plan.asks))


def batch_budget_blocker(
    backend: Backend | None,
    items: PageItems | None,
    models: Sequence[str],
    max_tokens: int | None,
    catalog: Catalog | None,
    repeats: int = 1,
) -> str | None:
    """Why this batch would pass a budget (each item on each model, `repeats` times), else
    None."""
    if not _applies(backend) or items is None or not models:
        return None
    prices = catalog.info if catalog is not None else (lambda model: None)
    return _verdict(
        backend,
        lambda: planned_batch(
            page_sizing(items), models, max_tokens=max_tokens, prices=prices, repeats=repeats
        ),
    )
