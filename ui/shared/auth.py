"""Sign-in: Streamlit's st.login when [auth] is configured, the allow-list, and who is here."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui.shared.records import team_records
from ui.shared.session import PERSON_KEY, SIGNED_IN_KEY
from vision.errors import AccessError, HistoryError
from vision.markdown import literal
from vision.team.access import ACCESS_SECTION, LOCAL_PERSON, AccessPolicy, Denied, Person, admit
from vision.team.sign_ins import record_sign_in, record_sign_out

# Recorded once per session, so a rerun does not write the audit trail again.
_DENIED = "denied"


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
    (and Sign out) a person not on the allow-list sees, before anything else is drawn."""
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
        _remember(_DENIED, outcome)
        st.error(literal(outcome.reason))
        # The way out: signed in with the wrong account, a person can try another one.
        st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=_sign_out)
        st.stop()
    _remember(outcome.workspace, outcome)
    st.session_state[PERSON_KEY] = outcome
    return outcome


def _remember(who: str, outcome: Person | Denied) -> None:
    """A sign-in or a denial, into the people table and the audit trail once per session."""
    if st.session_state.get(SIGNED_IN_KEY) == who:
        return
    st.session_state[SIGNED_IN_KEY] = who
    try:
        problem = record_sign_in(team_records(), outcome)
    except HistoryError as err:  # the database cannot even be opened
        problem = str(err)
    if problem:
        st.error(problem)


def _sign_out() -> None:
    person: Person | None = st.session_state.get(PERSON_KEY)
    if person is not None:
        with contextlib.suppress(HistoryError):  # signing out never waits on the audit trail
            record_sign_out(team_records(), person)
    st.session_state.pop(SIGNED_IN_KEY, None)
    st.logout()


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
    st.caption(
        f":material/account_circle: Signed in as {literal(person.label)}{role}",
        # What the team lead may put in [access] to name this person by their sign-in.
        help=f"Your sign-in identity: {literal(person.identity)}",
    )
    st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=_sign_out)


def opens_shared_link(person: Person) -> bool:
    """True when a signed-in person opened a shared run's or batch's link (?run=, ?batch=)."""
    return person.signed_in and any(name in st.query_params for name in ("run", "batch"))


def team_pages(person: Person) -> list[StreamlitPage]:
    """The pages of a signed-in app: Shared (for everyone), Usage (for admins)."""
    if not person.signed_in:
        return []
    pages = [
        st.Page(
            "ui/pages/shared.py",
            title="Shared",
            icon=":material/share:",
            url_path="shared",
            default=opens_shared_link(person),
        )
    ]
    if person.is_admin:
        pages.append(
            st.Page("ui/pages/admin.py", title="Usage", icon=":material/monitoring:",
                    url_path="usage")
        )  # fmt: skip
    return pages
