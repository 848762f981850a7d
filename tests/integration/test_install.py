"""`pip install .` gives a `vision` command that works outside the checkout."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_vision_command_checks_an_image_outside_the_checkout(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "vision", source / "vision", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy(ROOT / name, source / name)
    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    photo = tmp_path / "photo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The installed package first, then this environment's libraries; never the checkout.
    env = {**os.environ, "PYTHONPATH": f"{target}{os.pathsep}{sysconfig.get_paths()['purelib']}"}
    command = [sys.executable, str(target / "bin" / "vision")]
    done = subprocess.run(
        [*command, "check", str(photo), "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"width": 640' in done.stdout
    where = subprocess.run(
        [sys.executable, "-c", "import vision; print(vision.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))
    usage = subprocess.run(
        [*command, "--help"], cwd=elsewhere, env=env, capture_output=True, text=True, check=False
    )
    assert usage.returncode == 0
    assert usage.stdout.startswith("usage: vision ")
    bad = subprocess.run(
        [*command, "nope"], cwd=elsewhere, env=env, capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
