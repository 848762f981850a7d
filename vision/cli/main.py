"""The entry point of `python -m vision` (and the `vision` command): parse, then run one command.

Exit codes: 0 done; 1 a VisionError (its sentence on stderr, no traceback); 2 a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from vision.cli.exits import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE
from vision.errors import VisionError
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE

# Each command and its line in `--help`; the command's module, vision.cli.<name>, holds its
# options (`add_arguments`) and what it does (`execute`), and is imported only when named.
COMMANDS: dict[str, str] = {
    "check": "show what would be sent for each image, page or frame",
    "ask": "ask one or more models about images",
    "models": "list the server's models",
    "echo": "run the local echo backend (no model, no key)",
    "eval": "run every item × every model, save to the history, score and report",
    "sweep": "score the same items at several image resolutions or reasoning efforts against "
    "their cost",
    "probe": "measure a model's image cost (shows the cost; sends only with --yes)",
    "worker": "run queued batches from the history's database, chunk by chunk",
}


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one sentence saying where to look."""

    def error(self, message: str) -> NoReturn:
        """Print the problem as one line and exit with the usage error code."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message}; see `{self.prog} --help`.\n")


def command_module(name: str) -> ModuleType:
    """The module of one command of COMMANDS."""
    return importlib.import_module(f"vision.cli.{name}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of `python -m vision`: every command listed, and the options of
    `command` (the one on the command line), so a command's module loads only when it runs."""
    # Installed, the command is `vision`; from a checkout, `python -m vision`.
    installed = not sys.argv[0].endswith("__main__.py")
    parser = Parser(
        prog="vision" if installed else "python -m vision",
        description="Send images and a prompt to IO Intelligence vision models.",
        epilog=(
            f"Configuration: {API_KEY_VARIABLE} and {BASE_URL_VARIABLE} (the environment, "
            "else .streamlit/secrets.toml)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary in COMMANDS.items():
        options = commands.add_parser(name, help=summary)
        if name == command:
            command_module(name).add_arguments(options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    given = sys.argv[1:] if argv is None else list(argv)
    # The command is the first word that is not an option: `python -m vision` itself takes
    # only --help, so nothing before it takes a value.
    named = next((word for word in given if not word.startswith("-")), None)
    args = build_parser(named).parse_args(given)
    out, err = sys.stdout, sys.stderr
    # After parsing, so `--help` loads none of it: what earlier answers and probes measured
    # shapes every command's preparation and estimates (docs/geometry.md).
    from vision.calibration.calibrator import calibrating, default_calibrator

    try:
        with calibrating(default_calibrator()):
            code: int = command_module(args.command).execute(args, out, err)
    except VisionError as error:
        out.flush()
        err.write(f"{error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.write("Interrupted.\n")
        return EXIT_INTERRUPTED
    return code
