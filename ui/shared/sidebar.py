"""The sidebar: where requests go, with the configured key, a pasted one, or the echo backend."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.backend import ECHO_LABEL, configured_settings, echo_backend
from ui.shared.session import (
    CATALOG_KEY,
    ECHO_RATE_KEY,
    ECHO_TTFT_KEY,
    KEY_INPUT,
    KEY_KIND_KEY,
    USE_ECHO,
    connection,
)
from ui.shared.spending import team_reserve
from vision.connection import ECHO_PACE, Backend, api_host
from vision.echo.pace import MAX_TOKENS_PER_SECOND, MAX_TTFT_S, MIN_TOKENS_PER_SECOND, EchoPace
from vision.settings_variables import API_KEY_VARIABLE


def _key_typed() -> None:
    """A key pasted in the sidebar switches the page from the echo to the real API."""
    chosen = connection()
    chosen.key.paste(st.session_state.get(KEY_INPUT, ""))
    # Clearing one's own key falls back to the team's key where there is one, not the echo.
    chosen.use_echo = not chosen.pasted_key and configured_settings()[1] is None
    st.session_state[USE_ECHO] = chosen.use_echo


def _echo_toggled() -> None:
    connection().use_echo = bool(st.session_state.get(USE_ECHO))


def _seed(key: str, value: object) -> None:
    """Give a widget the session's value before it is drawn: a page switch forgets widgets,
    and the callbacks above keep the connection current before every run."""
    st.session_state[key] = value


def _echo_pace() -> EchoPace | None:
    """How fast the echo answers, for a demo at a real model's pace (None: its own, quick)."""
    with st.expander("Answer pace", icon=":material/speed:"):
        ttft = st.number_input(
            "Seconds to the first token",
            0.0,
            MAX_TTFT_S,
            value=ECHO_PACE.ttft_s,
            step=0.1,
            key=ECHO_TTFT_KEY,
            persist_state="session",
        )
        rate = st.number_input(
            "Tokens per second",
            MIN_TOKENS_PER_SECOND,
            MAX_TOKENS_PER_SECOND,
            value=ECHO_PACE.tokens_per_second,
            step=5.0,
            key=ECHO_RATE_KEY,
            persist_state="session",
            help="After the first token. Real vision models answer at about 20–80.",
        )
    pace = EchoPace(ttft_s=float(ttft), tokens_per_second=float(rate))
    return None if pace == ECHO_PACE else pace


def choose_backend() -> Backend | None:
    """The backend this session uses, or None when there is no key and the echo is off."""
    backend = _choose()
    # Whose key pays for what this session saves next (the history's audit trail reads it).
    st.session_state[KEY_KIND_KEY] = backend.key_kind if backend is not None else "team"
    return backend


def _choose() -> Backend | None:
    settings, source = configured_settings()
    st.subheader("Connection")
    host = api_host(settings.base_url)
    chosen = connection()
    person = current_person()
    # Signed in, a person may use a key of their own instead of the team's, for this session.
    own_key_allowed = source is None or person.signed_in
    if own_key_allowed:
        _seed(KEY_INPUT, chosen.pasted_key)
        st.text_input(
            "IO Intelligence API key" if source is None else "Your own API key (optional)",
            type="password",
            key=KEY_INPUT,
            on_change=_key_typed,
            placeholder="io-…",
            help="Kept only in this browser session: never stored, logged or shown."
            + ("" if source is None else " Runs made with it are marked as yours."),
        )
        if chosen.key.problem:
            st.error(chosen.key.problem, icon=":material/key_off:")
    typed = chosen.pasted_key if own_key_allowed else ""
    if chosen.use_echo is None:  # decided once per session, then owned by the person
        chosen.use_echo = source is None and not typed
    _seed(USE_ECHO, chosen.use_echo)
    use_echo = st.toggle(
        "Use the local echo backend",
        key=USE_ECHO,
        on_change=_echo_toggled,
        help=ECHO_LABEL + ". It runs inside this app; your key is never sent to it.",
    )
    workspace = person.workspace if person.signed_in else ""
    if use_echo:
        st.caption(":material/science: Echo backend: no model runs.")
        return replace(echo_backend(_echo_pace()), workspace=workspace)
    if typed:
        mine = " (your own: runs are marked as made with it)" if source is not None else ""
        st.caption(f":material/key: Key for this session only{mine} · {host}")
        return Backend(base_url=settings.base_url, api_key=typed, key_source="session",
                       workspace=workspace)  # fmt: skip
    if source is not None:
        # The team's key never leaves the server: the page only says where it came from.
        st.caption(f":material/key: Key from the {source} · {host}")
        return Backend(
            base_url=settings.base_url,
            api_key=settings.api_key,
            key_source=source,
            workspace=workspace,
            reserve=team_reserve(workspace, st.session_state.get(CATALOG_KEY))
            if workspace
            else None,
        )
    st.caption(f"Paste a key above, or set `{API_KEY_VARIABLE}`.")
    return None
