"""Sign-in: Streamlit's st.login when [auth] is configured, the allow-list, and who is here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ui.shared.session import PERSON_KEY
from vision.markdown import literal
from vision.team.access import (
    ACCESS_SECTION,
    LOCAL_PERSON,
    AccessError,
    AccessPolicy,
    Denied,
    Person,
    admit,
)


def _section(name: str) -> Mapping[str, Any] | None:
    try:
        found = st.secrets.get(name)
    except FileNotFoundError:  # no secrets.toml at all
        return None
    return found if isinstance(found, Mapping) else None


def sign_in_configured() -> bool:
    """True when secrets.toml has an [auth] section: then nobody uses the app unsigned."""
    return bool(_section("auth"))


def _signed_in_person() -> Person | Denied:
    """The allow-list's verdict on the signed-in identity (a sentence when it cannot be read)."""
    try:
        policy = AccessPolicy.from_section(_section(ACCESS_SECTION))
    except AccessError as err:
        return Denied(email="", reason=str(err))
    return admit(st.user.to_dict(), policy)


def _sign_in_screen() -> None:
    st.title("Vision Playground")
    st.write("Sign in with your team account to use the app.")
    st.button("Sign in", key="sign_in", type="primary", icon=":material/login:", on_click=st.login)


def require_person() -> Person:
    """The person using this session; stops the run with the sign-in screen, or the one sentence
    a person not on the allow-list sees, before anything else is drawn."""
    if not sign_in_configured():
        st.session_state[PERSON_KEY] = LOCAL_PERSON
        return LOCAL_PERSON
    if not st.user.is_logged_in:
        st.session_state.pop(PERSON_KEY, None)
        _sign_in_screen()
        st.stop()
    outcome = _signed_in_person()
    if isinstance(outcome, Denied):
        st.session_state.pop(PERSON_KEY, None)
        st.error(outcome.reason)
        st.stop()
    st.session_state[PERSON_KEY] = outcome
    return outcome


def current_person() -> Person:
    """The person the page works for (the gate has run); the gate itself when it has not."""
    person: Person | None = st.session_state.get(PERSON_KEY)
    if person is None or (person.signed_in != sign_in_configured()):
        return require_person()
    return person


def identity_panel(person: Person) -> None:
    """The sidebar's line on who is signed in, with Sign out; or that the app is single-user."""
    if not person.signed_in:
        st.caption(
            ":material/person: Single-user mode: no sign-in is configured, and everything is "
            "kept in this machine's history."
        )
        return
    role = " · admin" if person.is_admin else ""
    st.caption(f":material/account_circle: Signed in as {literal(person.label)}{role}")
    st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=st.logout)
