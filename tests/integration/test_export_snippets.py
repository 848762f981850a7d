"""The copy-as-code snippets, run for real against the echo backend, send the exact request."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from vision.api.payload import build_payload
from vision.echo import ECHO_MODELS
from vision.export.code import CodeExport, as_curl, as_python
from vision.values.request import ChatRequest, ImageRef


def request_with_images() -> ChatRequest:
    png = base64.b64encode(make_image("PNG", (64, 48))).decode()
    jpeg = base64.b64encode(make_image("JPEG", (40, 40))).decode()
    return ChatRequest(
        model=ECHO_MODELS[0],
        prompt='Say what\'s here: "quotes", $DOLLARS, `ticks` and ünïcode',
        images=(
            ImageRef(url=f"data:image/png;base64,{png}"),
            ImageRef(url=f"data:image/jpeg;base64,{jpeg}"),
        ),
        temperature=0.3,
        max_tokens=64,
    )


def write_files(export: CodeExport, folder) -> None:
    for name, data in export.files:
        (folder / name).write_bytes(data)


def run_snippet(command: list[str], folder) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "IOINTELLIGENCE_API_KEY": ECHO_API_KEY}
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_python_snippet_sends_the_exact_body_with_the_key_from_the_env(echo, tmp_path):
    request = request_with_images()
    export = as_python(request, echo.base_url)
    write_files(export, tmp_path)
    (tmp_path / "snippet.py").write_text(export.code)
    done = run_snippet([sys.executable, "snippet.py"], tmp_path)
    assert done.returncode == 0, done.stderr
    (recorded,) = echo.chat_requests
    assert recorded.authorized
    assert recorded.body == build_payload(request)
    assert done.stdout.strip()


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_the_curl_snippet_sends_the_exact_body_with_the_key_from_the_env(echo, tmp_path, shell):
    if not (shutil.which(shell) and shutil.which("curl")):
        pytest.skip(f"needs {shell} and curl")
    request = request_with_images()
    export = as_curl(request, echo.base_url)
    write_files(export, tmp_path)
    (tmp_path / "snippet.sh").write_text(export.code)
    done = run_snippet([shell, "snippet.sh"], tmp_path)
    assert done.returncode == 0, done.stderr
    (recorded,) = echo.chat_requests
    assert recorded.authorized
    assert recorded.body == build_payload(request)
    assert '"choices"' in done.stdout
