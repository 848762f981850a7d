"""The entry point of `python -m vision` (and the `vision` command): parse, then run one command.

Exit codes: 0 done; 1 a VisionError (its sentence on stderr, no traceback); 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vision.cli import ask, check, echo, eval, models, probe, sweep, worker
from vision.cli.common import EXIT_ERROR, Parser
from vision.errors import VisionError
from vision.settings import API_KEY_VARIABLE, BASE_URL_VARIABLE

EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m vision`, one subcommand per module of vision.cli."""
    # Installed, the command is `vision`; from a checkout, `python -m vision`.
    installed = not sys.argv[0].endswith("__main__.py")
    parser = Parser(
        prog="vision" if installed else "python -m vision",
        description="Send images and a prompt to IO Intelligence vision models.",
        epilog=f"Configuration: {API_KEY_VARIABLE} and {BASE_URL_VARIABLE} (environment).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (check, ask, models, echo, eval, sweep, probe, worker):
        command.add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = build_parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    # After parsing, so `--help` loads none of it: what earlier answers and probes measured
    # shapes every command's preparation and estimates (docs/geometry.md).
    from vision.calibration.calibrator import calibrating, default_calibrator

    try:
        with calibrating(default_calibrator()):
            code: int = args.func(args, out, err)
    except VisionError as error:
        out.flush()
        err.write(f"{error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.write("Interrupted.\n")
        return EXIT_INTERRUPTED
    return code
