"""The app's database, opened once per process: the history store every session shares, the
team's records in it, and the process's holds on the team's budgets."""

from __future__ import annotations

import streamlit as st

from vision.history.config import resolve_url
from vision.history.store import HistoryStore
from vision.team.records import TeamRecords
from vision.team.reservations import Reservations
from vision.team.spending import Budget


@st.cache_resource(show_spinner=False)
def _open(target: str) -> HistoryStore:
    # `target` only keys the cache: a test or an operator may point the app elsewhere.
    return HistoryStore()


def _target() -> str:
    return resolve_url(None).render_as_string(hide_password=False)


def shared_store() -> HistoryStore:
    """The process's store ($VISION_DATABASE_URL, else $VISION_HISTORY_PATH or the default
    file) in the workspace "local"; raises HistoryError."""
    return _open(_target())


def team_records() -> TeamRecords:
    """The team's tables in the app's database; raises HistoryError."""
    return TeamRecords(shared_store())


@st.cache_resource(show_spinner=False)
def _reservations(target: str, budget: Budget) -> Reservations:
    # Keyed by the database and the budgets, as the store is: each pair has holds of its own.
    return Reservations(team_records(), budget)


def replica_reservations() -> Reservations:
    """This process's holds on the team's budgets (VISION_DAILY_*), shared by every session;
    raises HistoryError or BudgetError."""
    return _reservations(_target(), Budget.from_env())
