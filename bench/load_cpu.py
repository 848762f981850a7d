"""CPU seconds and memory from /proc: the whole machine, one process, and the browsers a benchmark
started."""

from __future__ import annotations

import os
from pathlib import Path

CORES = os.cpu_count() or 1


def machine_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text(encoding="ascii").split()[1:9]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:  # gone meanwhile
        return None
    return stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; field 3 is fields[0]


def _descendants_cpu(left_out: int | None) -> float:
    """CPU seconds of this process's descendants, with the children they have reaped, but
    `left_out` and its own descendants."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(value) for value in fields[11:15]) / tick
    ours = os.getpid()

    def descends(pid: int) -> bool:
        for _ in range(64):  # a bounded walk up the tree
            if pid in (left_out, 0, 1):
                return False
            if parents.get(pid) == ours:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(seconds for pid, seconds in times.items() if descends(pid))


def browser_cpu_seconds(server_pid: int) -> float:
    """CPU seconds of this process's descendants but the app server (Playwright and Chromium),
    with the renderers they have already reaped."""
    return _descendants_cpu(server_pid)


def family_cpu_seconds() -> float:
    """CPU seconds of this process and everything it started (servers, echo, their children):
    the rest of the machine's busy time is other people's work."""
    return cpu_seconds(os.getpid()) + _descendants_cpu(None)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process (all its threads), from /proc/<pid>/stat."""
    fields = _stat_fields(pid)
    if fields is None:
        raise RuntimeError(f"the app server (pid {pid}) is gone")
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident memory of a process now (VmRSS), in bytes; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
