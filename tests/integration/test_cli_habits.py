"""The command line as a new user meets it, each command in a real subprocess against the echo
on loopback: `vision models` in aligned columns, `eval` saying when its metric had nothing to
score, --resume added to the command that was interrupted, the README's way to the echo, and
the key kept in the app's secrets.toml found by the command line too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from tests.support.signals import needs_sigkill
from vision.echo import TEXT_ONLY_MODEL, EchoServer
from vision.history.store import HistoryStore

REPO = Path(__file__).resolve().parents[2]


def _env(echo: EchoServer | str, history: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IOINTELLIGENCE_", "VISION_"))}
    env["IOINTELLIGENCE_BASE_URL"] = echo if isinstance(echo, str) else echo.base_url
    env["IOINTELLIGENCE_API_KEY"] = ECHO_API_KEY
    if history is not None:
        env["VISION_HISTORY_PATH"] = str(history)
    return env


def _vision(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vision", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _images(folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        (folder / f"img-{index:02}.png").write_bytes(make_image("PNG", (64 + index, 48)))
    return folder


def test_models_prints_aligned_columns_under_a_header(echo: EchoServer) -> None:
    listed = _vision("models", env=_env(echo))
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["model", "reads", "reasoning", "context", "input", "$/1M",
                              "output", "$/1M"]  # fmt: skip
    # Every row's cells sit under their column's name: text from its left edge, numbers up
    # to its right edge.
    starts = [header.index(name) for name in ("model", "reads", "reasoning")]
    ends = [header.index(name) + len(name) for name in ("context", "input $/1M", "output $/1M")]
    by_model = {}
    for row in rows:
        for start in starts[1:]:
            assert row[start - 2 : start + 1].startswith("  "), (header, row)
            assert row[start] != " ", (header, row)
        for end in ends:
            assert row[end - 1] != " ", (header, row)
            assert row[end : end + 1] in ("", " "), (header, row)
        by_model[row.split()[0]] = row
    assert by_model[QWEN].split()[1:3] == ["images", "no"]
    assert by_model[TEXT_ONLY_MODEL].split()[1:4] == ["text", "only", "no"]
    assert by_model["moonshotai/Kimi-K2.6"].split()[1:3] == ["images", "yes"]


def test_eval_says_in_one_sentence_when_no_item_has_an_expected_answer(
    echo: EchoServer, tmp_path: Path
) -> None:
    images = _images(tmp_path / "imgs", 2)
    env = _env(echo, tmp_path / "history.sqlite3")
    ran = _vision("eval", "--images", str(images), "-m", QWEN, "--metric", "contains", env=env)
    assert ran.returncode == 0, ran.stderr
    said = [line for line in ran.stdout.splitlines() if "expected answer" in line]
    assert said == [
        "No item has an expected answer, so --metric contains scored nothing: give the items "
        "an expected (or answer) column, or have a model grade the answers with --judge MODEL."
    ]


def test_eval_with_an_empty_prompt_asks_the_default_question_as_ask_and_the_page_do(
    echo: EchoServer, tmp_path: Path
) -> None:
    images = _images(tmp_path / "imgs", 2)
    env = _env(echo, tmp_path / "history.sqlite3")
    ran = _vision("eval", "--images", str(images), "-m", QWEN, "--prompt", " ", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "No prompt: the models are asked “What is in this image?”." in ran.stderr
    asked = {request.body["messages"][-1]["content"][0]["text"] for request in echo.chat_requests}
    assert asked == {"What is in this image?"}


@needs_sigkill
def test_resume_added_to_the_interrupted_command_continues_its_batch(tmp_path: Path) -> None:
    images = _images(tmp_path / "imgs", 6)
    history = tmp_path / "history.sqlite3"
    command = ["eval", "--images", str(images), "-m", QWEN, "--prompt", "Read the text",
               "--temperature", "0", "--concurrency", "1"]  # fmt: skip
    with EchoServer(api_key=ECHO_API_KEY, ttft_s=0.2) as echo:
        env = {**_env(echo, history), "PYTHONUNBUFFERED": "1"}
        started = subprocess.Popen(
            [sys.executable, "-m", "vision", *command],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert started.stderr is not None
            while not started.stderr.readline().startswith("[1/"):
                assert started.poll() is None, "the eval ended before it was interrupted"
            started.send_signal(signal.SIGKILL)
        finally:
            started.kill()
            started.wait(timeout=30)
        with HistoryStore(history) as store:
            (batch_id,) = store.batch_ids()
            before = len(store.batch_runs(batch_id, images=False))
        assert 1 <= before < 6

        resumed = _vision(*command, "--resume", env=env)
        assert resumed.returncode == 0, resumed.stderr
        assert f"Resuming: {before} of 6 answered; asking {6 - before}." in resumed.stderr
        assert f"as batch {batch_id}." in resumed.stdout
        with HistoryStore(history) as store:
            assert store.batch_ids() == [batch_id]  # no second batch was started
            assert len(store.batch_runs(batch_id, images=False)) == 6

        changed = _vision(*command[:-4], "--prompt", "Describe it", "--resume", env=env)
    assert changed.returncode == 1
    assert "Traceback" not in changed.stderr
    assert changed.stderr.strip().splitlines()[-1] == (
        f"The newest batch on {images} ({batch_id}) was asked with the prompt 'Read the text' "
        "(now 'Describe it'); the temperature 0.0 (now none): resume it as it was asked with "
        f"`vision eval --resume {batch_id}`, or leave out --resume to start a new batch with "
        "these settings."
    )


def test_resume_with_an_input_no_batch_read_says_so(echo: EchoServer, tmp_path: Path) -> None:
    images = _images(tmp_path / "imgs", 1)
    env = _env(echo, tmp_path / "history.sqlite3")
    refused = _vision("eval", "--images", str(images), "-m", QWEN, "--resume", env=env)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        f"No batch in this history read {images}: leave out --resume to start one."
    )


def test_the_readme_says_how_to_point_ask_at_the_echo_as_the_echo_itself_does(
    tmp_path: Path,
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOINTELLIGENCE_")}
    echo = subprocess.Popen(
        [sys.executable, "-m", "vision", "echo", "--port", "0"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert echo.stdout is not None
        said = [echo.stdout.readline() for _ in range(5)]
        exports = [line.strip() for line in said if line.strip().startswith("export ")]
        base_url = said[0].split(" on ", 1)[1].split(" ", 1)[0]
        port = base_url.rsplit(":", 1)[1].split("/", 1)[0]
        # The README gives the echo's own lines, at the port it documents (8800).
        documented = {line.strip() for line in readme.splitlines()}
        for line in exports:
            assert line.replace(f":{port}/", ":8800/") in documented, line
        photo = tmp_path / "photo.jpg"
        photo.write_bytes(make_photo((640, 480)))
        for line in exports:
            name, value = line.removeprefix("export ").split("=", 1)
            env[name] = value
        asked = _vision("ask", "-m", LLAMA, "-i", str(photo), "What is in this image?", env=env)
        assert asked.returncode == 0, asked.stderr
        assert "[echo backend — no model ran]" in asked.stdout
    finally:
        echo.send_signal(signal.SIGTERM)
        echo.communicate(timeout=30)


def test_the_key_in_the_apps_secrets_file_serves_the_command_line_too(echo, tmp_path):
    # As the README's configuration table says: the environment first, then
    # .streamlit/secrets.toml in the folder the command runs in.
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'IOINTELLIGENCE_API_KEY = "{ECHO_API_KEY}"\nIOINTELLIGENCE_BASE_URL = "{echo.base_url}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOINTELLIGENCE_")}
    env["PYTHONPATH"] = str(REPO)

    def vision(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vision", *args],
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=90,
        )

    listed = vision("models")
    assert listed.returncode == 0, listed.stderr
    assert QWEN in listed.stdout
    assert listed.stderr.strip() == "Using the API key from .streamlit/secrets.toml."
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(make_photo((640, 480)))
    asked = vision("ask", "-m", QWEN, "-i", str(picture), "--json", "What is in this image?")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["results"][0]["ok"] is True
    assert "secrets.toml" in asked.stderr
    # A key in the environment wins, and says so.
    overridden = vision("models", IOINTELLIGENCE_API_KEY=ECHO_API_KEY)
    assert overridden.stderr.strip() == (
        "Using the API key from the environment (IOINTELLIGENCE_API_KEY)."
    )
    for done in (listed, asked, overridden):
        assert ECHO_API_KEY not in done.stdout + done.stderr
