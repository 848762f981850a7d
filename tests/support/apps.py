"""Real app processes for the sign-in and replica tests: `streamlit run streamlit_app.py` on a
free loopback port with a configuration of the test's own (environment and secrets file)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
COOKIE_SECRET = "a-test-cookie-secret-of-some-length"  # noqa: S105


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def write_secrets(path: Path, sections: Mapping[str, Mapping[str, object]]) -> Path:
    """A secrets.toml with these sections (values: strings, numbers, booleans, lists)."""
    lines: list[str] = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in values.items())
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def auth_section(
    port: int, metadata_url: str, client_id: str, client_secret: str
) -> dict[str, str]:
    """Streamlit's [auth] for an app on this loopback port and this provider."""
    return {
        "redirect_uri": f"http://127.0.0.1:{port}/oauth2callback",
        "cookie_secret": COOKIE_SECRET,
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": metadata_url,
    }


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """Return once the app at url answers its health check; raise if it exits or never does."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            health = f"{url}/_stcore/health"  # always http, built by the callers
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


@contextmanager
def streamlit_server(
    *,
    script: str,
    port: int,
    env: Mapping[str, str],
    log: Path,
    options: Sequence[str] = (),
    address: str | None = "127.0.0.1",
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`streamlit run script` on address:port (loopback unless a benchmark is told otherwise;
    None: wherever .streamlit/config.toml says, reached on 127.0.0.1) with exactly this
    environment and its output in log; yields its URL and process once it is healthy, and stops
    it afterwards."""
    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.port", str(port),
        *(("--server.address", address) if address is not None else ()),
        *options,
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=output, stderr=output)
        url = f"http://{address or '127.0.0.1'}:{port}"
        try:
            wait_healthy(url, process)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def run_app(
    *,
    port: int,
    env: Mapping[str, str],
    secrets: Path | None,
    log_name: str,
    script: str = "serve.py",
) -> Iterator[str]:
    """The app on 127.0.0.1:port with only this configuration, started as a team deploys it
    (serve.py); yields its URL."""
    ARTIFACTS.mkdir(exist_ok=True)
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("VISION_", "IOINTELLIGENCE_", "STREAMLIT_"))
    }
    options = ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    # Only the test's secrets: never a developer's .streamlit/secrets.toml.
    options += ["--secrets.files", str(secrets) if secrets is not None else os.devnull]
    with streamlit_server(
        script=script,
        port=port,
        env={**clean, **env},
        log=ARTIFACTS / log_name,
        options=options,
    ) as (url, _):
        yield url
