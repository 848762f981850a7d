"""Which API the page talks to, read once per run: the configured endpoint or the in-process
echo, and the session's client for it (the rules are vision.connection's)."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from ui.shared.session import CLIENT_KEY
from vision.api.client import VisionClient
from vision.connection import Backend, echo_backend as _echo_backend, new_client, start_app_echo
from vision.echo import EchoServer
from vision.echo.pace import EchoPace
from vision.settings import KeySource, Settings, configured_settings as _configured

ECHO_LABEL = "Echo backend: describes what the model would receive; no model runs"


def _secrets() -> dict[str, Any]:
    """The app's secrets.toml as Streamlit reads it ({} when there is none)."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml at all
        return {}


def configured_settings() -> tuple[Settings, KeySource | None]:
    """Base URL and key from the environment first, then secrets.toml."""
    return _configured(os.environ, _secrets())


@st.cache_resource(show_spinner=False)
def _echo_server() -> EchoServer:
    """One echo server per process, started on first use."""
    return start_app_echo()


def echo_backend(pace: EchoPace | None = None) -> Backend:
    """The in-process echo backend (started on first use), answering at `pace` when given."""
    return _echo_backend(_echo_server(), pace)


def client_for(backend: Backend) -> VisionClient:
    """The session's client for this backend, created once per backend and key."""
    cached = st.session_state.get(CLIENT_KEY)
    if cached is not None and cached[0] == backend:
        client: VisionClient = cached[1]
        return client
    if cached is not None:
        cached[1].close()
    client = new_client(backend)
    st.session_state[CLIENT_KEY] = (backend, client)
    return client
