"""The sidebar: where requests go, with the configured key, a pasted one, or the echo backend."""

from __future__ import annotations

import streamlit as st

from ui.shared.backend import ECHO_LABEL, Backend, api_host, configured_settings, echo_backend
from vision.settings import API_KEY_VARIABLE

KEY_INPUT = "api_key_input"
USE_ECHO = "use_echo"


def _key_typed() -> None:
    """A key pasted in the sidebar switches the page from the echo to the real API."""
    st.session_state[USE_ECHO] = not st.session_state.get(KEY_INPUT, "").strip()


def choose_backend() -> Backend | None:
    """The backend this session uses, or None when there is no key and the echo is off."""
    settings, source = configured_settings()
    st.subheader("Connection")
    host = api_host(settings.base_url)
    if source is None:
        st.text_input(
            "IO Intelligence API key",
            type="password",
            key=KEY_INPUT,
            on_change=_key_typed,
            placeholder="io-…",
            help="Kept only in this browser session: never stored, logged or shown.",
        )
    typed = st.session_state.get(KEY_INPUT, "").strip() if source is None else ""
    # Set once, then owned by the toggle (and by _key_typed when a key is pasted).
    st.session_state.setdefault(USE_ECHO, source is None and not typed)
    use_echo = st.toggle(
        "Use the local echo backend",
        key=USE_ECHO,
        help=ECHO_LABEL + ". It runs inside this app; your key is never sent to it.",
    )
    if use_echo:
        st.caption(":material/science: " + ECHO_LABEL + ".")
        return echo_backend()
    if source is not None:
        st.caption(f":material/key: Key from the {source} · {host}")
        return Backend(base_url=settings.base_url, api_key=settings.api_key, key_source=source)
    if typed:
        st.caption(f":material/key: Key for this session only · {host}")
        return Backend(base_url=settings.base_url, api_key=typed, key_source="session")
    st.caption(f"Paste a key above, or set `{API_KEY_VARIABLE}`.")
    return None
