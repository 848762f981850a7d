"""Start-up: `python -m vision --help` and `import vision.limits` against a bare interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.sections import Verdict, medians, ms, table

ROOT = Path(__file__).resolve().parents[1]
# `python -m vision --help` against a bare `python -c pass` started the same way, in the same run.
HELP_TARGET_RATIO = 7.0
REPEAT = 15
HEAVY = ("requests", "PIL", "sqlite3")


def _python(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)


def _loaded(code: str) -> list[str]:
    """The heavy libraries that running `code` in a fresh interpreter leaves loaded."""
    probe = (
        f"{code}\nimport sys\n"
        f"print('loaded:', *(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stderr.strip().splitlines()[-1].removeprefix("loaded:").split()


def startup_section() -> list[Verdict]:
    """Median wall time of each command over interleaved repetitions, and what each loads."""
    times = medians(
        {
            "python -c pass": lambda: _python("-c", "pass"),
            "python -c 'import vision.limits'": lambda: _python("-c", "import vision.limits"),
            "python -m vision --help": lambda: _python("-m", "vision", "--help"),
        },
        repeat=REPEAT,
    )
    bare = times["python -c pass"]
    help_loads = _loaded(
        "import runpy, sys\nsys.argv = ['vision', '--help']\ntry:\n"
        "    runpy.run_module('vision', run_name='__main__')\nexcept SystemExit:\n    pass"
    )
    limits_loads = _loaded("import vision.limits")
    table(
        "6. Start-up (bench/startup_bench.py)",
        ("command", "median ms", "× bare python", "loads"),
        [(name, ms(seconds), f"{seconds / bare:.1f}×", "") for name, seconds in times.items()]
        + [("(heavy libraries after --help)", "", "", " ".join(help_loads) or "none")]
        + [
            (
                "(heavy libraries after import vision.limits)",
                "",
                "",
                " ".join(limits_loads) or "none",
            )
        ],
    )
    help_s = times["python -m vision --help"]
    return [
        Verdict(
            target=f"python -m vision --help within {HELP_TARGET_RATIO:g}× a bare python start",
            measured=f"{help_s / bare:.1f}× ({help_s:.3f} s against {bare:.3f} s)",
            passed=help_s <= HELP_TARGET_RATIO * bare,
        ),
        Verdict(
            target="--help and import vision.limits load no requests, Pillow or sqlite3",
            measured=" ".join(help_loads + limits_loads) or "none loaded",
            passed=not help_loads and not limits_loads,
        ),
    ]


if __name__ == "__main__":
    for verdict in startup_section():
        print(verdict)
