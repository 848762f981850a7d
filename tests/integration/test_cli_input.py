"""Every bad input on the command line is one sentence and exit code 2 (1 when it is not the
flags' fault), never a traceback, and nothing is sent that the server would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run_cli
from tests.support.images import make_photo
from tests.support.models import QWEN
from vision.echo import EchoServer


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["echo", "--port", "99999"], "99999 is not a port"),
        (["echo", "--port", "eighty"], "'eighty' is not a port number"),
        (["echo", "--ttft", "abc"], "'abc' is not a number of seconds"),
        (["echo", "--token-delay", "-1"], "-1 seconds is negative"),
        (["ask", "-m", QWEN, "--temperature", "5", "hi"], "Temperature 5 is outside 0 to 2"),
        (["ask", "-m", QWEN, "--max-tokens", "-3", "hi"], "-3 is not at least 1"),
        (["eval", "--images", ".", "-m", QWEN, "--concurrency", "0"], "0 is not at least 1"),
        (["ask", "hi"], "the following arguments are required: -m/--model"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_a_bad_flag_is_one_sentence_with_where_to_look(args, says, echo: EchoServer):
    result = run_cli(*args, echo=echo)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert says in line
    assert line.endswith("--help`.")
    assert not echo.chat_requests


def test_a_host_that_cannot_be_listened_on_is_a_sentence():
    result = run_cli("echo", "--host", "256.0.0.1", "--port", "0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot listen on 256.0.0.1:0" in result.stderr


def test_check_with_an_unknown_model_says_its_estimate_is_a_guess(tmp_path: Path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(make_photo((800, 600)))
    result = run_cli("check", str(photo), "--model", "nope")
    assert result.returncode == 0
    assert "on nope (a guess: nope matches no model family" in result.stdout
    known = run_cli("check", str(photo), "--model", QWEN)
    assert "a guess" not in known.stdout
