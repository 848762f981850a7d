"""Which API the page talks to: the configured IO Intelligence endpoint or the in-process echo."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import streamlit as st

from ui.shared.session import CLIENT_KEY
from vision.api.client import VisionClient
from vision.echo import EchoServer
from vision.history.team import KeyKind
from vision.settings import (
    API_KEY_VARIABLE,
    BASE_URL_VARIABLE,
    DEFAULT_BASE_URL,
    Settings,
    install_redaction,
)
from vision.team.gate import GatedClient, Guard, replica_gate

KeySource = Literal["environment", "secrets", "session", "echo"]

SECRETS_SECTION = "io_intelligence"
# Operators of a local or test deployment may let image URLs point at this machine.
ALLOW_LOOPBACK_VARIABLE = "VISION_ALLOW_LOOPBACK_URLS"
ECHO_LABEL = "Echo backend: describes what the model would receive; no model runs"
# A little pacing so the echo's answers stream visibly, like a real model's.
ECHO_TOKEN_DELAY_S = 0.01


@dataclass(frozen=True, slots=True, kw_only=True)
class Backend:
    """Where requests go and with which key; the key never appears in repr."""

    base_url: str
    api_key: str = field(repr=False)
    key_source: KeySource
    # With sign-in: whose requests these are (the replica's in-flight caps are per person), and
    # the budget check the team's key passes before each request; both unset for one person.
    workspace: str = ""
    guard: Guard | None = field(default=None, compare=False, repr=False)

    @property
    def is_echo(self) -> bool:
        """True for the local echo backend, which runs no model."""
        return self.key_source == "echo"

    @property
    def key_kind(self) -> KeyKind:
        """Whose key pays: the team's (configured), the person's own (pasted), or none (echo)."""
        if self.key_source == "echo":
            return "echo"
        return "own" if self.key_source == "session" else "team"

    @property
    def identity(self) -> str:
        """A stable name for caches that depend on the backend (never contains the key)."""
        return f"{self.key_source}@{self.base_url}"


def _secret(*path: str) -> str:
    """A string from .streamlit/secrets.toml, or "" when the file or the entry is absent."""
    try:
        node: Any = st.secrets
        for part in path:
            if not isinstance(node, Mapping) or part not in node:
                return ""
            node = node[part]
    except FileNotFoundError:  # no secrets.toml at all
        return ""
    return node.strip() if isinstance(node, str) else ""


def configured_settings() -> tuple[Settings, KeySource | None]:
    """Base URL and key from the environment first, then secrets.toml (top-level or nested)."""
    from_env = Settings.from_env(os.environ)
    base_url = (
        from_env.base_url
        if os.environ.get(BASE_URL_VARIABLE, "").strip()
        else (
            _secret(BASE_URL_VARIABLE) or _secret(SECRETS_SECTION, "base_url") or DEFAULT_BASE_URL
        ).rstrip("/")
    )
    if from_env.has_key:
        return Settings(base_url=base_url, api_key=from_env.api_key), "environment"
    key = _secret(API_KEY_VARIABLE) or _secret(SECRETS_SECTION, "api_key")
    if key:
        return Settings(base_url=base_url, api_key=key), "secrets"
    return Settings(base_url=base_url), None


def loopback_urls_allowed() -> bool:
    """True when the operator allowed image URLs on this machine (local development, tests)."""
    return os.environ.get(ALLOW_LOOPBACK_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


@st.cache_resource(show_spinner=False)
def _echo_server() -> EchoServer:
    """One echo server per process, on a free loopback port, with a random internal key; it
    keeps no prompt or image of anyone's (only the metadata of its latest requests)."""
    return EchoServer(api_key=secrets.token_urlsafe(24), token_delay_s=ECHO_TOKEN_DELAY_S).start()


def echo_backend() -> Backend:
    """The in-process echo backend (started on first use)."""
    server = _echo_server()
    return Backend(base_url=server.base_url, api_key=server.api_key, key_source="echo")


def api_host(base_url: str) -> str:
    """The host requests go to, as shown on the page (the whole URL if it has none)."""
    return urlsplit(base_url).netloc or base_url


def new_client(backend: Backend) -> VisionClient:
    """A fresh client for this backend; the caller closes it. The team's key (and the echo's) is
    masked in the logs for good, a pasted key while the client and the session hold it. With
    sign-in, its requests go through the replica's gate, the person's budget first."""
    if backend.key_source != "session":
        install_redaction(backend.api_key)
    if backend.workspace:
        return GatedClient(
            backend.base_url,
            backend.api_key,
            gate=replica_gate(),
            person=backend.workspace,
            team_key=backend.key_kind == "team",
            guard=backend.guard,
        )
    return VisionClient(backend.base_url, backend.api_key)


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
