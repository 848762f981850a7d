"""What the protocol sessions run against: the echo backend in a process of its own (answers in
about a second, each request's arrival timed), and app servers: one, two replicas on one
PostgreSQL, or the bare page, each started as `make run` starts the app."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.load_page import TOKEN_DELAY_S, TTFT_S
from tests.support.apps import free_port, streamlit_server
from vision.calibration.storage import CALIBRATION_PATH_ENV
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE
from vision.team.gate import MAX_IN_FLIGHT_ENV

API_KEY = "bench-key"
TEAM_DOMAIN = "bench.example"  # the replicas' allow-list admits every address here
APP_SCRIPT = "streamlit_app.py"
BARE_SCRIPT = "bench/bare_page.py"
_LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass(frozen=True, slots=True)
class Server:
    """One app process: where it listens and its pid (for its CPU and memory)."""

    url: str
    pid: int
    signs_in: bool = False  # a team app: each session signs in first


@dataclass(frozen=True, slots=True)
class Echo:
    """The echo backend's API address."""

    base_url: str

    def arrivals(self) -> list[tuple[float, str]]:
        """When each chat request arrived and its prompt, since the last call (then forgotten)."""
        control = self.base_url.rsplit("/v1", 1)[0] + "/_echo/requests"
        key = {"Authorization": f"Bearer {API_KEY}"}
        records: list[dict[str, Any]] = httpx.get(control, headers=key, timeout=60).json()
        httpx.delete(control, headers=key, timeout=60)
        return [
            (float(record["received_at"]), _prompt_of(record.get("body") or {}))
            for record in records
            if record["path"].endswith("/chat/completions")
        ]


def _prompt_of(body: dict[str, Any]) -> str:
    try:
        return str(body["messages"][-1]["content"][0]["text"])
    except (KeyError, IndexError, TypeError):
        return ""


# The echo as `vision echo` serves it, but keeping each request's body (the prompt says which
# session a request came from), as tests keep them; the command line's echo keeps none.
_ECHO_SCRIPT = f"""
from vision.echo import EchoServer
server = EchoServer({API_KEY!r}, ttft_s={TTFT_S!r}, token_delay_s={TOKEN_DELAY_S!r},
                    record_bodies=True).start()
print(f"Echo backend listening on {{server.base_url}}", flush=True)
server.serve_until_interrupted()
"""


@contextmanager
def echo_process() -> Iterator[Echo]:
    """The echo backend on a free port, apart from the sessions' process: its threads then take
    no turns from the client's event loop."""
    command = [sys.executable, "-c", _ECHO_SCRIPT]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = _LISTENING.search(first)
        if found is None:
            raise RuntimeError(f"the echo backend did not start: {first.strip()!r}")
        yield Echo(base_url=found.group(1))
    finally:
        process.terminate()
        process.wait(timeout=10)


def _environment(echo: Echo, **extra: str) -> dict[str, str]:
    return {**os.environ, BASE_URL_VARIABLE: echo.base_url, API_KEY_VARIABLE: API_KEY, **extra}


@contextmanager
def _servers(
    script: str,
    count: int,
    env: dict[str, str],
    folder: Path,
    secrets: Callable[[int], Path] | None = None,
) -> Iterator[list[Server]]:
    """`count` processes of script; with secrets, each reads the secrets file made for its port."""
    with ExitStack() as stack:
        servers = []
        for index in range(count):
            name = f"{Path(script).stem}-{index + 1}"
            # Each process its own measurements file, as each replica has its own disk: never
            # the calibration.json of the person running the benchmark.
            own = {**env, CALIBRATION_PATH_ENV: str(folder / f"{name}-calibration.json")}
            port = free_port()
            options = () if secrets is None else ("--secrets.files", str(secrets(port)))
            url, process = stack.enter_context(
                streamlit_server(
                    script=script, port=port, env=own, log=folder / f"{name}.log", options=options
                )
            )
            servers.append(Server(url=url, pid=process.pid, signs_in=secrets is not None))
        yield servers


@contextmanager
def one_app(echo: Echo, folder: Path) -> Iterator[list[Server]]:
    """The app in one process, its history in a SQLite file, as `make run` starts it."""
    env = _environment(echo, VISION_HISTORY_PATH=str(folder / "history.sqlite3"))
    with _servers(APP_SCRIPT, 1, env, folder) as servers:
        yield servers


@contextmanager
def two_replicas(echo: Echo, folder: Path, *, in_flight: int) -> Iterator[list[Server]]:
    """Two app processes on one PostgreSQL database, as deploy/ runs them: a team app, so each
    session signs in through a provider on loopback (the same cookie secret on both, as behind
    the proxy), and the client keeps each session on one process, as the proxy's sticky cookie
    does; each replica lets `in_flight` requests through its fair-use gate at once. Raises
    PostgresUnavailable when PostgreSQL cannot start here."""
    from tests.support.apps import auth_section, write_secrets
    from tests.support.oidc import CLIENT_ID, OIDCProvider
    from tests.support.postgres import start_postgres

    def secrets(port: int) -> Path:
        auth = auth_section(port, provider.metadata_url, CLIENT_ID, provider.client_secret)
        sections = {"auth": auth, "access": {"allowed": [f"@{TEAM_DOMAIN}"]}}
        return write_secrets(folder / f"secrets-{port}.toml", sections)

    postgres = start_postgres()
    try:
        env = _environment(
            echo,
            VISION_DATABASE_URL=postgres.url(postgres.create_database()),
            **{MAX_IN_FLIGHT_ENV: str(in_flight)},
        )
        with OIDCProvider() as provider, _servers(APP_SCRIPT, 2, env, folder, secrets) as servers:
            yield servers
    finally:
        postgres.stop()


@contextmanager
def bare_page(echo: Echo, folder: Path) -> Iterator[list[Server]]:
    """bench/bare_page.py in one process, asking the same echo."""
    with _servers(BARE_SCRIPT, 1, _environment(echo), folder) as servers:
        yield servers
