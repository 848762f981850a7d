"""The offer on a page that starts empty (a new tab, a reload): where everything is kept, the
newest one named, and Open or Dismiss; either click ends the offer for the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

Id = TypeVar("Id", int, str)


def offered(state_key: str, newest: Callable[[], Id | None]) -> Id | None:
    """The id of what is offered, looked up once per session and kept under `state_key`; None
    when there was nothing to offer or the offer was taken or dismissed."""
    state = st.session_state
    if state_key not in state:
        state[state_key] = newest()
    found: Id | None = state[state_key]
    return found


def draw_offer(
    state_key: str,
    *,
    key: str,
    kept: str,
    newest: str,
    open_label: str,
    open_key: str,
    open_icon: str,
    on_open: Callable[[], None],
) -> None:
    """The offer in a box named `key` (its Dismiss is `key`_dismiss): `kept` says where
    everything is kept, `newest` names the newest; Open runs `on_open`, and either button
    ends the offer kept under `state_key`."""

    def take() -> None:
        st.session_state[state_key] = None
        on_open()

    def decline() -> None:
        st.session_state[state_key] = None

    with st.container(border=True, key=key):
        st.caption(f":material/history: {kept} The newest: {newest}.")
        with st.container(horizontal=True, gap="small"):
            st.button(open_label, key=open_key, icon=open_icon, on_click=take)
            st.button("Dismiss", key=f"{key}_dismiss", type="tertiary", on_click=decline)
