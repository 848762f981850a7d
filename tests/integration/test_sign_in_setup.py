"""A team app whose sign-in cannot work refuses to start, in real processes: `streamlit run
serve.py` (the image's command) exits 1 with the sentence before serving anyone, and so does
`vision worker` given secrets that say team without a complete [auth]."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support.apps import (
    ROOT,
    auth_section,
    free_port,
    wait_healthy,
    write_secrets,
)

ACCESS = {"allowed": ["@team.example"], "admins": ["lead@team.example"]}
METADATA = "http://127.0.0.1:9/.well-known/openid-configuration"  # never fetched here


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("VISION_", "IOINTELLIGENCE_", "STREAMLIT_"))
    }
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _serve(secrets: Path | None, env: Mapping[str, str], tmp_path: Path) -> tuple[int, str]:
    """Start serve.py as the image does (on loopback here); its exit code and output, or a
    failure if it becomes healthy (it served without sign-in)."""
    port = free_port()
    log = tmp_path / "serve.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--secrets.files", str(secrets) if secrets is not None else os.devnull,
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=output, stderr=output)
        try:
            with pytest.raises(RuntimeError, match="exited early"):
                wait_healthy(f"http://127.0.0.1:{port}", process, timeout_s=60)
            code = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return code, log.read_text()


def test_serve_py_with_auth_misspelt_exits_with_the_sentence(tmp_path: Path):
    secrets = write_secrets(
        tmp_path / "secrets.toml",
        {"Auth": auth_section(8501, METADATA, "vision", "client-secret"), "access": ACCESS},
    )
    code, output = _serve(secrets, _clean_env(), tmp_path)
    assert code == 1
    assert (
        "This app is set up for a team ([Auth] is in secrets.toml, [access] is in secrets.toml "
        "and it is started as serve.py) but cannot sign anyone in: secrets.toml has [Auth] but "
        "no [auth] (section names are lower-case)"
    ) in output
    assert "Traceback" not in output
    assert "client-secret" not in output


def test_serve_py_on_postgresql_without_any_secrets_exits_with_the_sentence(tmp_path: Path):
    env = _clean_env(VISION_DATABASE_URL="postgresql://vision:hunter2@127.0.0.1:9/vision")
    code, output = _serve(None, env, tmp_path)
    assert code == 1
    assert "VISION_DATABASE_URL names PostgreSQL" in output
    assert "secrets.toml has no [auth] section" in output
    assert "hunter2" not in output


def _worker(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vision", "worker", "--until-idle", "--poll", "0.1",
         "--history", str(cwd / "history.sqlite3"), *args],
        cwd=cwd,
        env=_clean_env(IOINTELLIGENCE_API_KEY="worker-key"),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )  # fmt: skip


def test_a_worker_refuses_secrets_that_say_team_without_a_complete_auth(tmp_path: Path):
    incomplete = dict(auth_section(8501, METADATA, "vision", "client-secret"))
    del incomplete["client_secret"]
    secrets = write_secrets(tmp_path / "team.toml", {"auth": incomplete, "access": ACCESS})
    result = _worker(tmp_path, "--secrets", str(secrets))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.strip() == (
        "This app is set up for a team ([auth] is in secrets.toml and [access] is in "
        "secrets.toml) but cannot sign anyone in: [auth] is missing client_secret; fix "
        ".streamlit/secrets.toml as docs/team.md says and start it again."
    )
    assert result.stdout == ""
    assert not (tmp_path / "history.sqlite3").exists()  # refused before touching the store


def test_a_worker_reads_the_secrets_file_streamlit_would_and_passes_a_complete_one(
    tmp_path: Path,
):
    folder = tmp_path / ".streamlit"
    folder.mkdir()
    misspelt = {"Auth": auth_section(8501, METADATA, "vision", "s"), "access": ACCESS}
    write_secrets(folder / "secrets.toml", misspelt)
    refused = _worker(tmp_path)
    assert refused.returncode == 1
    assert "secrets.toml has [Auth] but no [auth]" in refused.stderr

    write_secrets(
        folder / "secrets.toml",
        {"auth": auth_section(8501, METADATA, "vision", "s"), "access": ACCESS},
    )
    ran = _worker(tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "Ran 0 chunk(s).\n"
