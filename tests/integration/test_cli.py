"""`python -m vision` in a real subprocess against an in-process echo backend on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image, make_photo
from tests.support.models import ALL_ECHO_VISION_MODELS, LLAMA, QWEN
from vision.echo import TEXT_ONLY_MODEL, EchoServer, Fault

REPO = Path(__file__).resolve().parents[2]
PROMPT = "What is in this image?"
SENTINEL_KEY = "sk-cli-sentinel-0123456789"


def run_cli(
    *args: str, echo: EchoServer | str | None = None, key: str | None = ECHO_API_KEY
) -> subprocess.CompletedProcess[str]:
    """Run `python -m vision` with only our IOINTELLIGENCE_* variables (echo: server or URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOINTELLIGENCE_")}
    if echo is not None:
        env["IOINTELLIGENCE_BASE_URL"] = echo if isinstance(echo, str) else echo.base_url
    if key is not None:
        env["IOINTELLIGENCE_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "vision", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 1, one or more sentences on stderr, no traceback; returns stderr."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()
    return result.stderr


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(make_photo((1024, 768)))
    return path


# ask


def test_ask_both_documented_models_prints_both_answers_with_usage(
    echo: EchoServer, photo: Path
) -> None:
    result = run_cli("ask", "-m", LLAMA, "-m", QWEN, "-i", str(photo), PROMPT, echo=echo)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index(f"=== {LLAMA} ===") < out.index(f"=== {QWEN} ===")
    assert out.count("[echo backend — no model ran]") == 2
    assert f"{LLAMA} received the prompt “{PROMPT}” with 1 image: image 1: JPEG 1024×768" in out
    assert f"{QWEN} received the prompt “{PROMPT}” with 1 image: image 1: JPEG 1024×768" in out
    for model in (LLAMA, QWEN):
        usage = next(line for line in out.splitlines() if line.startswith(f"[{model} · stop · "))
        assert " prompt + " in usage
        assert " completion = " in usage
    assert len(echo.chat_requests) == 2


@pytest.mark.parametrize("model", [LLAMA, QWEN])
def test_ask_one_model_streams_the_answer_then_its_usage(
    echo: EchoServer, photo: Path, model: str
) -> None:
    result = run_cli("ask", "-m", model, "-i", str(photo), PROMPT, echo=echo)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("[echo backend — no model ran]")
    assert lines[-1].startswith(f"[{model} · stop · ")
    assert echo.chat_requests[-1].body is not None
    assert echo.chat_requests[-1].body["stream"] is True


def test_ask_json_reports_each_model_with_usage_and_the_images_sent(
    echo: EchoServer, photo: Path
) -> None:
    url = "https://images.example.org/cat.jpg"
    result = run_cli(
        "ask", "-m", LLAMA, "-m", QWEN, "-i", str(photo), "-i", url, "--json", PROMPT, echo=echo
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["prompt"] == PROMPT
    assert [entry["model"] for entry in report["results"]] == [LLAMA, QWEN]
    for entry in report["results"]:
        assert entry["ok"] is True
        assert entry["complete"] is True
        assert entry["finish_reason"] == "stop"
        assert "with 2 images" in entry["text"]
        usage = entry["usage"]
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        first, second = entry["images"]
        assert first["mime"] == "image/jpeg"
        assert first["estimated_tokens"] > 0
        assert second == {"source": url, "url": True}
    # The two models' image geometries differ, and so does what they were charged.
    llama, qwen = (entry["usage"]["prompt_tokens"] for entry in report["results"])
    assert llama != qwen


def test_ask_passes_a_url_image_to_the_api_as_is(echo: EchoServer) -> None:
    url = "https://images.example.org/cat.jpg?size=large"
    result = run_cli("ask", "-m", QWEN, "-i", url, PROMPT, echo=echo)
    assert result.returncode == 0, result.stderr
    body = echo.chat_requests[-1].body
    assert body is not None
    parts = body["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": PROMPT}
    assert parts[1] == {"type": "image_url", "image_url": {"url": url}}


def test_ask_sends_the_system_prompt_and_sampling_options(echo: EchoServer, photo: Path) -> None:
    result = run_cli(
        "ask", "-m", QWEN, "-i", str(photo), "--system", "Be brief.", "--max-tokens", "3",
        "--temperature", "0.2", PROMPT, echo=echo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = echo.chat_requests[-1].body
    assert body is not None
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["max_tokens"] == 3
    assert body["temperature"] == 0.2
    assert f"[{QWEN} · length · " in result.stdout
    assert " 3 completion = " in result.stdout


def test_ask_with_an_empty_prompt_asks_about_the_image_as_the_page_does(
    echo: EchoServer, photo: Path
) -> None:
    result = run_cli("ask", "-m", QWEN, "-i", str(photo), "", echo=echo)
    assert result.returncode == 0, result.stderr
    assert "No prompt: the models are asked “What is in this image?”." in result.stderr
    body = echo.chat_requests[-1].body
    assert body is not None
    assert body["messages"][-1]["content"][0] == {"type": "text", "text": PROMPT}


def test_ask_with_neither_a_prompt_nor_an_image_is_refused_before_anything_is_sent(
    echo: EchoServer,
) -> None:
    stderr = assert_clean_failure(run_cli("ask", "-m", QWEN, "  ", echo=echo))
    assert "Write a prompt. Or add an image" in stderr
    assert echo.chat_requests == []


def test_ask_a_text_only_model_about_an_image_fails_with_a_sentence(
    echo: EchoServer, photo: Path
) -> None:
    result = run_cli("ask", "-m", TEXT_ONLY_MODEL, "-i", str(photo), PROMPT, echo=echo)
    stderr = assert_clean_failure(result)
    assert "cannot see images" in stderr
    assert echo.chat_requests == []


def test_ask_an_unknown_model_fails_with_a_sentence(echo: EchoServer, photo: Path) -> None:
    result = run_cli("ask", "-m", "acme/unknown-model", "-i", str(photo), PROMPT, echo=echo)
    assert "acme/unknown-model" in assert_clean_failure(result)


def test_one_model_failing_does_not_lose_the_other_answer(echo: EchoServer, photo: Path) -> None:
    echo.add_fault(Fault(kind="status", status=400, body={"detail": "Broken on purpose."},
                         model=LLAMA))  # fmt: skip
    result = run_cli("ask", "-m", LLAMA, "-m", QWEN, "-i", str(photo), PROMPT, echo=echo)
    stderr = assert_clean_failure(result)
    # After the one line saying where the key came from, the failed model's sentence.
    assert stderr.splitlines()[1].startswith(f"{LLAMA}: ")
    assert f"=== {LLAMA} ===\nerror: " in result.stdout
    assert f"[{QWEN} · stop · " in result.stdout


def test_a_truncated_stream_is_shown_as_incomplete_and_exits_1(
    echo: EchoServer, photo: Path
) -> None:
    echo.add_fault(Fault(kind="truncate", after_chunks=3))
    result = run_cli("ask", "-m", QWEN, "-i", str(photo), PROMPT, echo=echo)
    stderr = assert_clean_failure(result)
    assert "incomplete" in stderr
    assert "INCOMPLETE" in result.stdout
    assert result.stdout.startswith("[echo backend — ")


def test_ask_an_unreadable_image_names_the_file(echo: EchoServer, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.png"
    bogus.write_bytes(b"just some text, not a picture")
    result = run_cli("ask", "-m", QWEN, "-i", str(bogus), PROMPT, echo=echo)
    assert str(bogus) in assert_clean_failure(result)
    assert echo.chat_requests == []


def test_ask_without_a_key_says_how_to_set_one(echo: EchoServer, photo: Path) -> None:
    result = run_cli("ask", "-m", QWEN, "-i", str(photo), PROMPT, echo=echo, key=None)
    stderr = assert_clean_failure(result)
    assert "IOINTELLIGENCE_API_KEY" in stderr
    assert result.stdout == ""
    assert echo.requests == []


def test_a_wrong_key_fails_with_a_sentence_and_is_never_printed(
    echo: EchoServer, photo: Path
) -> None:
    result = run_cli("ask", "-m", QWEN, "-i", str(photo), PROMPT, echo=echo, key=SENTINEL_KEY)
    assert_clean_failure(result)
    assert SENTINEL_KEY not in result.stdout + result.stderr


def test_the_key_is_never_printed_on_success(photo: Path) -> None:
    with EchoServer(api_key=SENTINEL_KEY) as echo:
        asked = run_cli("ask", "-m", QWEN, "-i", str(photo), "--json", echo=echo, key=SENTINEL_KEY)
        listed = run_cli("models", echo=echo, key=SENTINEL_KEY)
    assert asked.returncode == 0, asked.stderr
    assert listed.returncode == 0, listed.stderr
    for result in (asked, listed):
        assert SENTINEL_KEY not in result.stdout + result.stderr


# check


def test_check_reports_a_good_and_a_bad_file(tmp_path: Path, photo: Path) -> None:
    renamed = tmp_path / "really-a-png.jpg"
    renamed.write_bytes(make_image("PNG", (800, 600)))
    bad = tmp_path / "report.png"
    bad.write_bytes(b"%PDF-1.7 a document")
    result = run_cli("check", str(photo), str(renamed), str(bad), "--model", QWEN, key=None)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert f"{photo}: ok" in out
    assert "sends image/jpeg 1024×768" in out
    assert f"{renamed}: ok" in out
    assert "sends image/png 800×600" in out
    assert f"{bad}: cannot be sent: " in out
    assert "PDF" in out
    assert "prompt tokens on Qwen/Qwen2-VL-7B-Instruct" in out


def test_check_json_parses_with_the_true_format(tmp_path: Path, photo: Path) -> None:
    renamed = tmp_path / "really-a-png.jpg"
    renamed.write_bytes(make_image("PNG", (300, 200)))
    result = run_cli("check", str(photo), str(renamed), "--json", key=None)
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [report["ok"] for report in reports] == [True, True]
    assert reports[1]["mime"] == "image/png"
    assert reports[1]["original_format"] == "PNG"
    assert (reports[1]["width"], reports[1]["height"]) == (300, 200)
    assert reports[1]["warnings"], "an image under 512×512 carries a warning"
    assert isinstance(reports[0]["steps"], list)


def test_check_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope.jpg"), "--json", key=None)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (report,) = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["error"]["type"] == "ImageUnreadableError"
    assert "nope.jpg" in report["error"]["message"]


def test_check_never_fetches_a_loopback_url(echo: EchoServer) -> None:
    result = run_cli("check", f"{echo.base_url}/models", "--json", key=None)
    assert result.returncode == 1
    (report,) = json.loads(result.stdout)
    assert report["error"]["type"] == "URLBlockedError"
    assert echo.requests == []


# models


def test_models_lists_which_models_see_images(echo: EchoServer) -> None:
    result = run_cli("models", echo=echo)
    assert result.returncode == 0, result.stderr
    reads = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:]}
    assert (reads[LLAMA], reads[QWEN], reads[TEXT_ONLY_MODEL]) == ("images", "images", "text")


def test_models_json_in_both_server_shapes() -> None:
    for shape in ("openai", "io"):
        with EchoServer(api_key=ECHO_API_KEY, models_shape=shape) as echo:  # type: ignore[arg-type]
            result = run_cli("models", "--json", echo=echo)
        assert result.returncode == 0, result.stderr
        flags = {entry["id"]: entry["supports_images"] for entry in json.loads(result.stdout)}
        assert flags == {**dict.fromkeys(ALL_ECHO_VISION_MODELS, True), TEXT_ONLY_MODEL: False}


def test_models_when_the_server_is_down_fails_with_a_sentence() -> None:
    with EchoServer(api_key=ECHO_API_KEY) as echo:
        base_url = echo.base_url
    result = run_cli("models", echo=base_url)
    assert "Traceback" not in assert_clean_failure(result)


# Usage errors


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("ask", PROMPT),
        ("ask", "-m", QWEN, "--max-tokens", "0", PROMPT),
        ("check",),
        ("frobnicate",),
        ("echo", "--ttft", "-1"),
        ("echo", "--tokens-per-second", "0"),
    ],
    ids=["no-command", "ask-without-model", "zero-max-tokens", "check-without-file",
         "unknown-command", "negative-ttft", "zero-tokens-per-second"],
)  # fmt: skip
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    # One sentence that says where the usage is, rather than argparse's usage block.
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--help`." in result.stderr
    assert "Traceback" not in result.stderr
