"""`python -m vision --help` (and each command's) answers without loading the libraries the
commands themselves need, so asking for help is quick."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vision.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("requests", "PIL", "sqlalchemy", "sqlite3")

# Runs `python -m vision ARGS` as the command line does, then reports what it printed, its exit
# code and which of the given modules it left loaded.
_PROBE = """
import contextlib, io, json, runpy, sys
args, watched = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["vision", *args]
printed = io.StringIO()
code = None
with contextlib.redirect_stdout(printed):
    try:
        runpy.run_module("vision", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code
loaded = [name for name in watched if name in sys.modules]
print(json.dumps({"code": code, "printed": printed.getvalue(), "loaded": loaded}))
"""


def _help(*args: str, watched: tuple[str, ...] = HEAVY) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps([*args, "--help"]), json.dumps(watched)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_the_help_lists_every_command_and_loads_no_http_image_or_database_library():
    report = _help()
    assert report["code"] == 0
    printed = str(report["printed"])
    for name, summary in COMMANDS.items():
        assert name in printed
        assert summary.split()[0] in printed
    # Where the key is read, as the README says: the environment, else the app's secrets file.
    assert "IOINTELLIGENCE_API_KEY" in printed
    assert ".streamlit/secrets.toml" in " ".join(printed.split())
    assert report["loaded"] == []


def test_the_help_loads_no_command_nor_the_settings_and_logging_they_use():
    commands = tuple(f"vision.cli.{name}" for name in COMMANDS)
    report = _help(watched=(*commands, "vision.settings", "tomllib", "logging"))
    assert report["code"] == 0
    assert report["loaded"] == []


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_commands_help_shows_its_options_and_loads_no_http_image_or_database_library(
    command: str,
):
    report = _help(command)
    assert report["code"] == 0
    printed = str(report["printed"])
    assert f"vision {command} [-h]" in printed
    # Every command has options of its own beyond --help.
    assert printed.count("--") > printed.count("--help")
    assert report["loaded"] == []
