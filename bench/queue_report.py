"""Section 10's run plan and its report: the drain, idle and crash runs of each queue as tables
and verdicts."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

from bench.queue_workers import QUEUES, RECOVER_AFTER_S
from bench.sections import Verdict, table

if TYPE_CHECKING:
    from bench.queue_bench import Outcome

WORKERS = 2
DRAIN_JOBS, WORK_S = 2000, 0.005
IDLE_JOBS, IDLE_EVERY_S = 20, 0.25
CRASH_JOBS, CRASH_WORK_S, KILL_AFTER_S = 300, 0.02, 1.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _ratio(value: float, ours: float) -> str:
    return f"{value / ours:.2f}×" if ours else "-"


def queue_report(results: dict[str, dict[str, Outcome]]) -> list[Verdict]:
    """Tables 10a–10c from the three runs of each queue, and the section's verdicts."""
    ours = results["ours"]
    drain = {name: runs["drain"] for name, runs in results.items()}
    rate = {name: len(run.jobs) / run.wall() for name, run in drain.items()}
    gaps = {name: run.gaps() for name, run in drain.items()}
    p50 = {name: statistics.median(values) for name, values in gaps.items()}
    p95 = {name: _percentile(values, 0.95) for name, values in gaps.items()}
    ideal = WORKERS / WORK_S
    rows = []
    for name in QUEUES:
        once, more, never = drain[name].counts()
        rows.append(
            (name, f"{rate[name]:.0f}", _ratio(rate[name], rate["ours"]),
             f"{p50[name] * 1000:.2f}", f"{p95[name] * 1000:.2f}",
             _ratio(p50[name], p50["ours"]), f"{once} / {more} / {never}")
        )  # fmt: skip
    table(
        f"10a. Drain: {DRAIN_JOBS:,} jobs of {WORK_S * 1000:.0f} ms, {WORKERS} worker processes "
        f"(ideal {ideal:.0f} jobs/s)",
        ("queue", "jobs/s", "× ours", "finish+claim p50 ms", "p95 ms", "p50 × ours",
         "once / twice+ / never"),
        rows,
    )  # fmt: skip
    waits = {name: runs["idle"].waits() for name, runs in results.items()}
    table(
        f"10b. Idle workers, {IDLE_JOBS} jobs queued one at a time: from queued to started",
        ("queue", "p50 ms", "p95 ms", "p50 × ours", "once / twice+ / never"),
        [
            (name, f"{statistics.median(w) * 1000:.1f}", f"{_percentile(w, 0.95) * 1000:.1f}",
             _ratio(statistics.median(w), statistics.median(waits["ours"])),
             " / ".join(str(n) for n in results[name]["idle"].counts()))
            for name, w in waits.items()
        ],
    )  # fmt: skip
    crash_rows = []
    for name in QUEUES:
        run = results[name]["crash"]
        once, more, never = run.counts()
        again = run.taken_up_again()
        crash_rows.append(
            (name, f"{run.wall():.2f}", str(len(run.held)),
             f"{again:.2f}" if again is not None else "-", f"{once} / {more} / {never}")
        )  # fmt: skip
    table(
        f"10c. Crash: {CRASH_JOBS} jobs of {CRASH_WORK_S * 1000:.0f} ms, one of {WORKERS} workers "
        f"SIGKILLed after {KILL_AFTER_S:.0f} s, its jobs free again after {RECOVER_AFTER_S:.0f} s",
        ("queue", "seconds to finish", "held at kill", "run again s", "once / twice+ / never"),
        crash_rows,
    )
    lost = {name: results[name]["crash"].counts()[2] for name in QUEUES}
    exact = all(
        results[name][run].counts()[1:] == (0, 0) for name in QUEUES for run in ("drain", "idle")
    )
    return [
        Verdict(
            target="queue: Procrastinate's drain throughput against ours (same run)",
            measured=f"{rate['procrastinate']:.0f} vs {rate['ours']:.0f} jobs/s "
            f"({_ratio(rate['procrastinate'], rate['ours'])}); claim p50 "
            f"{p50['procrastinate'] * 1000:.1f} vs {p50['ours'] * 1000:.1f} ms",
            passed=None,
        ),
        Verdict(
            target="queue: every job ran exactly once without a crash, both queues",
            measured="yes" if exact else "no (see 10a, 10b)",
            passed=exact,
        ),
        Verdict(
            target="queue: a SIGKILLed worker's jobs are all done by the other, both queues",
            measured=f"never run: ours {lost['ours']}, Procrastinate {lost['procrastinate']}; "
            f"run twice: ours {ours['crash'].counts()[1]}, "
            f"Procrastinate {results['procrastinate']['crash'].counts()[1]}",
            passed=lost["ours"] == 0 and lost["procrastinate"] == 0,
        ),
    ]
