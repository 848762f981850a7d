"""The sidebar: where requests go, with the configured key, a pasted one, or the echo backend."""

from __future__ import annotations

import streamlit as st

from ui.shared.backend import ECHO_LABEL, Backend, api_host, configured_settings, echo_backend
from ui.shared.session import KEY_INPUT, USE_ECHO, connection
from vision.settings import API_KEY_VARIABLE


def _key_typed() -> None:
    """A key pasted in the sidebar switches the page from the echo to the real API."""
    chosen = connection()
    chosen.pasted_key = st.session_state.get(KEY_INPUT, "").strip()
    chosen.use_echo = not chosen.pasted_key
    st.session_state[USE_ECHO] = chosen.use_echo


def _echo_toggled() -> None:
    connection().use_echo = bool(st.session_state.get(USE_ECHO))


def _seed(key: str, value: object) -> None:
    """Give a widget the session's value before it is drawn: a page switch forgets widgets,
    and the callbacks above keep the connection current before every run."""
    st.session_state[key] = value


def choose_backend() -> Backend | None:
    """The backend this session uses, or None when there is no key and the echo is off."""
    settings, source = configured_settings()
    st.subheader("Connection")
    host = api_host(settings.base_url)
    chosen = connection()
    if source is None:
        _seed(KEY_INPUT, chosen.pasted_key)
        st.text_input(
            "IO Intelligence API key",
            type="password",
            key=KEY_INPUT,
            on_change=_key_typed,
            placeholder="io-…",
            help="Kept only in this browser session: never stored, logged or shown.",
        )
    typed = chosen.pasted_key if source is None else ""
    if chosen.use_echo is None:  # decided once per session, then owned by the person
        chosen.use_echo = source is None and not typed
    _seed(USE_ECHO, chosen.use_echo)
    use_echo = st.toggle(
        "Use the local echo backend",
        key=USE_ECHO,
        on_change=_echo_toggled,
        help=ECHO_LABEL + ". It runs inside this app; your key is never sent to it.",
    )
    if use_echo:
        st.caption(":material/science: Echo backend: no model runs.")
        return echo_backend()
    if source is not None:
        st.caption(f":material/key: Key from the {source} · {host}")
        return Backend(base_url=settings.base_url, api_key=settings.api_key, key_source=source)
    if typed:
        st.caption(f":material/key: Key for this session only · {host}")
        return Backend(base_url=settings.base_url, api_key=typed, key_source="session")
    st.caption(f"Paste a key above, or set `{API_KEY_VARIABLE}`.")
    return None
