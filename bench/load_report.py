"""Section 9's figures: the rounds as ratios to a lone session, what bounds them, and the
verdicts of this lost-click check (every click honoured in real Chromium, no traceback)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load_cpu import CORES
from bench.load_page import TOKEN_DELAY_S, TTFT_S, Round
from bench.sections import Verdict, table

TARGET_SESSIONS = 20


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _fmt(value: float | None, unit: str = " s") -> str:
    return "–" if value is None else f"{value:.2f}{unit}"


def _ratio(value: float | None, base: float | None) -> str:
    return "–" if value is None or not base else f"{value / base:.2f}×"


@dataclass(frozen=True, slots=True)
class Measured:
    """Every round of one run and what the server logged."""

    lone: tuple[Round, ...]
    rounds: tuple[tuple[int, Round], ...]  # (sessions, round), in the order they ran
    tracebacks: tuple[str, ...]
    walk_away: str  # why the mid-upload departure could not be staged, or ""
    departure_logged: bool  # the server saw that browser go (a line, or a traceback)
    bare_lone: tuple[Round, ...] = ()  # the same, on bench/bare_page.py
    bare_rounds: tuple[tuple[int, Round], ...] = ()
    remote: bool = False  # the browsers ran elsewhere


def _row(name: str, rounds: Sequence[Round], base: Round) -> tuple[object, ...]:
    """One line of the table: the rounds' sessions pooled, CPU figures as medians of rounds."""
    sessions = [session for r in rounds for session in r.sessions]
    answers = [s.answers_s for s in sessions if s.answers_s is not None]
    loads = [s.load_s for s in sessions if s.load_s is not None]
    honoured = sum(s.outcome == "honoured" for s in sessions)

    def per_round(field: str) -> float | None:
        return _median([getattr(r, field) for r in rounds])

    cpu = per_round("cpu_per_session_s")
    busy = per_round("machine_busy")
    return (
        name,
        f"{honoured}/{len(sessions)}",
        _fmt(_median(answers)),
        _ratio(_median(answers), _median(base.answered())),
        _fmt(max(answers, default=None)),
        _fmt(_median([s.handoff_s for s in sessions if s.handoff_s is not None])),
        _fmt(_median(loads)),
        _fmt(max(loads, default=None)),
        _ratio(_median(loads), _median(base.loads())),
        _fmt(cpu),
        _ratio(cpu, base.cpu_per_session_s),
        _fmt(per_round("load_cpu_per_session_s")),
        _fmt(per_round("browser_per_session_s")),
        "–" if busy is None else f"{busy:.0%}",
    )


def _pooled(rounds: Sequence[Round]) -> Round:
    """The lone rounds as one baseline: every session, and the median CPU figures."""
    return Round(
        sessions=tuple(session for r in rounds for session in r.sessions),
        cpu_per_session_s=statistics.median(r.cpu_per_session_s for r in rounds),
        load_cpu_per_session_s=statistics.median(r.load_cpu_per_session_s for r in rounds),
        wall_s=statistics.median(r.wall_s for r in rounds),
        browser_per_session_s=statistics.median(r.browser_per_session_s for r in rounds),
        machine_busy=statistics.median(r.machine_busy for r in rounds),
    )


def report(measured: Measured) -> list[Verdict]:
    """Print the rounds as ratios to the lone session; the verdicts on the targets."""
    lone = _pooled(measured.lone)
    runs = len(measured.lone)
    rows = [_row(f"1 (lone, {runs} run{'' if runs == 1 else 's'})", measured.lone, lone)]
    rows += [_row(str(count), [r], lone) for count, r in measured.rounds]
    bare = _pooled(measured.bare_lone) if measured.bare_lone else None
    if bare is not None:
        rows.append(
            _row(f"bare page, 1 (lone, {len(measured.bare_lone)} runs)", measured.bare_lone, bare)
        )
        rows += [_row(f"bare page, {count}", [r], bare) for count, r in measured.bare_rounds]
    table(
        "9. Many people at once: Chromium sessions upload a 3 MP photo and Send to both models, "
        f"answers in about 1 s (bench/load_bench.py; ttft {TTFT_S} s + 27 × {TOKEN_DELAY_S} s)",
        (
            "sessions",
            "honoured",
            "click→answers median",
            "× lone",
            "worst",
            "click→both requests at the API, median",
            "page load median",
            "worst",
            "× lone",
            "server CPU/session, upload + Send",
            "× lone",
            "server CPU/session, page load",
            "browser CPU/session",
            "machine busy",
        ),
        rows,
    )
    phases = [r.phases for r in measured.lone if r.phases]
    browser_phases = [r.browser_phases for r in measured.lone if r.browser_phases]
    if measured.remote:
        print("The browsers ran on another machine: their CPU is not in these figures.")
    elif phases and browser_phases:
        load, upload, send = (statistics.median(values) for values in zip(*phases, strict=True))
        b_load, b_upload, b_send = (
            statistics.median(values) for values in zip(*browser_phases, strict=True)
        )
        print(
            f"A lone session's CPU, server / browser: page load {load:.2f} / {b_load:.2f} s, "
            f"upload and cards {upload:.2f} / {b_upload:.2f} s, Send to both answers "
            f"{send:.2f} / {b_send:.2f} s (medians). Page loads are cold (a new browser profile "
            "each). Machine busy is the share of all cores in use, the browsers' and other "
            "people's work included. Click→requests at the API is the server's part of "
            "click→answers before the answers stream (each session asks its own question)."
        )
        lone_answers = _median(lone.answered())
        if lone_answers:
            for count in dict(measured.rounds):
                # Every session's Send work has to be done on these cores before the last
                # answers show; half of it before the median does.
                floor = (send + b_send) * count / CORES / 2
                if floor <= lone_answers:
                    continue  # the cores are not what bounds this many
                print(
                    f"{count} sessions: their Sends need {send * count:.1f} s of server CPU and "
                    f"{b_send * count:.1f} s of browser CPU (at a lone session's cost); on "
                    f"{CORES} cores the median session cannot have its answers before "
                    f"{floor:.1f} s, {floor / lone_answers:.1f}× a lone session's "
                    f"{lone_answers:.2f} s, whatever the server does."
                )
    bare_phases = [r.browser_phases for r in measured.bare_lone if r.browser_phases]
    if bare is not None and bare_phases and not measured.remote:
        bare_send = statistics.median(values[2] for values in bare_phases)
        bare_lone_s = _median(bare.answered())
        for count, r in measured.bare_rounds:
            print(
                f"The bare page (bench/bare_page.py: an uploader, a prompt, Send and two "
                f"columns streaming the same answers, nothing else) costs a browser "
                f"{bare_send:.2f} s of CPU per Send; with {count} sessions its median click to "
                f"answers is {_ratio(_median(r.answered()), bare_lone_s)} its lone "
                f"{_fmt(bare_lone_s)}: what this machine allows any Streamlit page."
            )
    for count, r in measured.rounds:
        browsers = r.browser_per_session_s * len(r.sessions) / (r.wall_s * CORES)
        if measured.remote:
            print(f"{count} sessions: the app server used {r.server_share:.0%} of all cores.")
            continue
        print(
            f"{count} sessions: the round took {r.wall_s:.0f} s; of all {CORES} cores the app "
            f"server used {r.server_share:.0%}, the browsers {browsers:.0%}, everything "
            f"together {r.machine_busy:.0%}."
        )
    for count, r in measured.rounds:
        for session in r.sessions:
            if session.outcome != "honoured":
                print(f"  {count} sessions: {session.outcome}: {session.said or 'no sentence'}")
    if measured.walk_away:
        print(f"A browser leaving mid-upload could not be staged: {measured.walk_away}")
    elif not measured.departure_logged:
        print("The browser that left mid-upload was not seen by the server (nothing logged).")
    else:
        print("The server saw the upload whose browser left halfway.")
    print(f"Server log: {len(measured.tracebacks)} traceback(s).")
    for line in dict.fromkeys(measured.tracebacks):
        print(f"  {line}")
    targets = [r for count, r in measured.rounds if count == TARGET_SESSIONS]
    if not targets:
        return []
    honoured = sum(r.count("honoured") for r in targets)
    clicks = sum(len(r.sessions) for r in targets)
    print(
        "Latency and the server's CPU per session are judged in section 13, by sessions that "
        "speak Streamlit's protocol: here the browsers share the server's cores."
    )
    return [
        Verdict(
            target=f"{TARGET_SESSIONS} Chromium sessions: every Send click honoured",
            measured=f"{honoured}/{clicks} honoured over {len(targets)} round(s)",
            passed=honoured == clicks,
        ),
        Verdict(
            target="no traceback in the app server's log (a browser leaving mid-upload included)",
            measured=f"{len(measured.tracebacks)} traceback(s)"
            + ("" if measured.departure_logged else " (no departure seen by the server)"),
            passed=not measured.tracebacks,
        ),
    ]
