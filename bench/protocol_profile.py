"""py-spy on an app server while a round's sessions upload and Send: one recording per step, then
where the samples fell, in our code and everywhere. Needs py-spy (requirements-dev.txt) and
permission to read the server's memory (the same user, or root)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path

from bench.sections import table

SAMPLES_PER_S = 200
SHOWN = 12
OURS = re.compile(r"\((?:\S*/)?(?:ui|vision|bench)/[^/]\S*\.py:\d+\)|\(\S*streamlit_app\.py:\d+\)")
_LINE = re.compile(r":\d+\)$")


def available() -> bool:
    """True when py-spy is installed beside this interpreter or on PATH."""
    return shutil.which("py-spy") is not None


class Recorder:
    """Records one server's stacks during each step it is told of (upload, then Send)."""

    def __init__(self, pid: int, folder: Path) -> None:
        self.pid = pid
        self.folder = folder
        self.files: dict[str, Path] = {}
        self._running: subprocess.Popen[bytes] | None = None

    def _start(self, name: str) -> None:
        path = self.folder / f"{name}.txt"
        self.files[name] = path
        command = [
            "py-spy", "record", "--pid", str(self.pid), "--rate", str(SAMPLES_PER_S),
            "--format", "raw", "--output", str(path), "--threads", "--nonblocking",
        ]  # fmt: skip
        self._running = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def _stop(self) -> None:
        if self._running is not None:
            self._running.send_signal(signal.SIGINT)  # py-spy writes its file and exits
            self._running.wait(timeout=60)
            self._running = None

    def on_step(self, step: int) -> None:
        """Steps.on_step: after the page loads record the uploads, after them the Sends."""
        self._stop()
        if step == 0:
            self._start("upload")
        elif step == 1:
            self._start("send")

    def report(self) -> None:
        """Print where each recording's samples fell."""
        for name, path in self.files.items():
            if path.exists():
                summarise(name, path)


def _frames(line: str) -> tuple[list[str], int]:
    stack, _, count = line.rpartition(" ")
    frames = [frame for frame in stack.split(";")[1:] if frame]  # the first is the thread
    return frames, int(count)


def _function(frame: str) -> str:
    """A frame without its line number: one row per function."""
    return _LINE.sub(")", frame)


def summarise(name: str, path: Path) -> None:
    """The functions with the most samples: inclusive (ours), and self (anyone's)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        frames, count = _frames(line)
        total += count
        for function in dict.fromkeys(_function(f) for f in frames if OURS.search(f)):
            inclusive[function] += count
        if frames:
            own[_function(frames[-1])] += count
    if not total:
        print(f"(profile of {name}: no samples)")
        return

    def rows(counter: Counter[str]) -> list[tuple[object, ...]]:
        return [
            (count, f"{count / total:.0%}", function[:110])
            for function, count in counter.most_common(SHOWN)
        ]

    table(
        f"Profile, {name} step: our functions by the samples under them ({total} samples)",
        ("samples", "share", "function (file)"),
        rows(inclusive),
    )
    table(
        f"Profile, {name} step: where the samples end (self)",
        ("samples", "share", "function (file)"),
        rows(own),
    )
    print(
        f"(py-spy, {SAMPLES_PER_S} samples a second of each running thread: on a busy machine a "
        "thread waiting for a core counts, one waiting for the GIL does not.)"
    )
