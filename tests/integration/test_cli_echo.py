"""`vision echo` in a real subprocess: it serves until stopped and says how to point the app at
it, answers at the pace it was given, refuses a rebound host name and keeps its request log
behind the key, and says what to do when its port is taken."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from tests.integration.test_cli import PROMPT, SENTINEL_KEY, assert_clean_failure, run_cli
from tests.support.images import make_photo
from tests.support.models import LLAMA, QWEN
from vision.echo import EchoServer

REPO = Path(__file__).resolve().parents[2]


def _echo_command(*options: str) -> subprocess.Popen[str]:
    """`vision echo` on a free port, with no IOINTELLIGENCE_* variable of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOINTELLIGENCE_")}
    command = ["echo", "--port", "0", "--api-key", SENTINEL_KEY, *options]
    return subprocess.Popen(
        [sys.executable, "-m", "vision", *command],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_echo_command_serves_until_stopped_and_says_how_to_use_it(tmp_path: Path) -> None:
    process = _echo_command()
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Echo backend listening on http://127.0.0.1:")
        base_url = first.split(" on ", 1)[1].split(" ", 1)[0]
        lines = [process.stdout.readline() for _ in range(4)]
        assert f"  export IOINTELLIGENCE_BASE_URL={base_url}\n" in lines
        assert any("IOINTELLIGENCE_API_KEY=<the key you passed with --api-key>" in x for x in lines)
        models = requests.get(f"{base_url}/models", timeout=10)
        assert models.status_code == 200
        chat = requests.post(
            f"{base_url}/chat/completions",
            json={"model": QWEN, "messages": [{"role": "user", "content": "hi"}]},
            headers={"Authorization": f"Bearer {SENTINEL_KEY}"},
            timeout=10,
        )
        assert chat.status_code == 200
        # The acceptance run: both documented models against `python -m vision echo`.
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(make_photo((800, 600)))
        asked = run_cli(
            "ask", "-m", LLAMA, "-m", QWEN, "-i", str(photo), PROMPT, echo=base_url,
            key=SENTINEL_KEY,
        )  # fmt: skip
        assert asked.returncode == 0, asked.stderr
        assert asked.stdout.count("[echo backend — no model ran]") == 2
        assert asked.stdout.count(" completion = ") == 2
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Echo backend stopped." in out
    assert SENTINEL_KEY not in first + "".join(lines) + out + err


def test_echo_command_answers_at_the_pace_it_was_given(tmp_path: Path) -> None:
    process = _echo_command("--ttft", "0.5", "--tokens-per-second", "40")
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split(" on ", 1)[1].split(" ", 1)[0]
        asked = run_cli(
            "ask", "-m", QWEN, "--json", "Say a few words.", echo=base_url, key=SENTINEL_KEY
        )
        assert asked.returncode == 0, asked.stderr
        (result,) = json.loads(asked.stdout)["results"]
        # Lower bounds only: a busy machine can make the waits longer, never shorter.
        assert result["ttft_s"] >= 0.5
        # After the first token, one every 1/40 s (the echo's own 100 a second is quicker).
        gaps = result["usage"]["completion_tokens"] - 1
        assert gaps > 10
        assert result["latency_s"] >= 0.5 + 0.9 * gaps / 40
    finally:
        process.kill()
        process.wait()


def test_echo_command_refuses_a_rebound_name_and_keeps_its_log_behind_the_key() -> None:
    process = _echo_command()
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split(" on ", 1)[1].split(" ", 1)[0]
        port = base_url.rsplit(":", 1)[1].split("/")[0]
        bearer = {"Authorization": f"Bearer {SENTINEL_KEY}"}
        body = {"model": QWEN, "messages": [{"role": "user", "content": "my private question"}]}
        # A page on rebound.example whose name now resolves to 127.0.0.1 (DNS rebinding).
        rebound = {**bearer, "Host": f"rebound.example:{port}"}
        refused = requests.post(f"{base_url}/chat/completions", json=body, headers=rebound,
                                timeout=10)  # fmt: skip
        assert refused.status_code == 403
        assert "answers only requests addressed to" in refused.json()["detail"]
        assert requests.get(f"{base_url}/models", headers=rebound, timeout=10).status_code == 403
        answered = requests.post(f"{base_url}/chat/completions", json=body, headers=bearer,
                                 timeout=10)  # fmt: skip
        assert answered.status_code == 200
        log_url = base_url.replace("/v1", "/_echo/requests")
        assert requests.get(log_url, timeout=10).status_code == 401
        listing = requests.get(log_url, headers=bearer, timeout=10)
        assert listing.status_code == 200
        assert [entry["status"] for entry in listing.json()] == [200]
        assert "my private question" not in listing.text
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_echo_command_on_a_busy_port_fails_with_a_sentence(echo: EchoServer) -> None:
    port = echo.base_url.rsplit(":", 1)[1].split("/")[0]
    result = run_cli("echo", "--port", port, key=None)
    assert "pick another --port" in assert_clean_failure(result)
