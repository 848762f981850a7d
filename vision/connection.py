"""Which API a person talks to and with which key, and the client for it: the same rules for the
app and the command line (the key from the environment, then secrets.toml; a pasted key; or the
local echo, which runs no model)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from vision.api.client import VisionClient
from vision.echo import EchoServer
from vision.echo.pace import EchoPace
from vision.redaction import install_redaction
from vision.settings import KeySource
from vision.team.gate import GatedClient, replica_gate
from vision.team.reservations import Reserve
from vision.values.audit import KeyKind

# Operators of a local or test deployment may let image URLs point at this machine.
ALLOW_LOOPBACK_VARIABLE = "VISION_ALLOW_LOOPBACK_URLS"
# A little pacing so the app's echo streams visibly, like a real model.
ECHO_PACE = EchoPace(ttft_s=0.0, tokens_per_second=100.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Backend:
    """Where requests go and with which key; the key never appears in repr."""

    base_url: str
    api_key: str = field(repr=False)
    key_source: KeySource
    # With sign-in: whose requests these are (the replica's in-flight caps are per person), and
    # the reservation on the budgets each request with the team's key makes when it takes its
    # slot; both unset for one person.
    workspace: str = ""
    reserve: Reserve | None = field(default=None, compare=False, repr=False)

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


def loopback_urls_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """True when the operator allowed image URLs on this machine (local development, tests)."""
    env = os.environ if environ is None else environ
    return env.get(ALLOW_LOOPBACK_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def api_host(base_url: str) -> str:
    """The host requests go to, as shown on the page (the whole URL if it has none)."""
    return urlsplit(base_url).netloc or base_url


def start_app_echo() -> EchoServer:
    """An echo server for one app process, on a free loopback port, with a random internal key;
    it keeps no prompt or image of anyone's (only the metadata of its latest requests)."""
    return EchoServer(
        api_key=secrets.token_urlsafe(24),
        ttft_s=ECHO_PACE.ttft_s,
        token_delay_s=ECHO_PACE.token_delay_s,
    ).start()


def echo_backend(server: EchoServer, pace: EchoPace | None = None) -> Backend:
    """The backend of a running echo server, answering at `pace` when given (else its own)."""
    base_url = server.base_url if pace is None else pace.base_url(server.base_url)
    return Backend(base_url=base_url, api_key=server.api_key, key_source="echo")


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
            reserve=backend.reserve,
        )
    return VisionClient(backend.base_url, backend.api_key)
