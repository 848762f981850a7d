"""Many people at once: browser sessions each upload a 3 MP photo and Send to both documented
models, against one app server and an echo backend whose answers take about a second.

Run alone: .venv/bin/python -m bench.load_bench [--sessions 10 20] [--lone 3] [--log FILE]
[--no-bare] [--browsers ws://HOST:PORT/PATH --address THIS_HOST]
A lone session is measured first, in the same run, and every figure is a ratio to it. Each
session is a Chromium context of its own (Debian's /usr/bin/chromium through Playwright, a cold
profile each); the sessions of a round open the page together, then upload together, then click
Send together. The app server is `streamlit run` with the project's own .streamlit/config.toml,
as `make run` starts it; its CPU comes from /proc, split into page loads and upload + Send, less
its idle rate. The browsers' CPU is shown too: they share the machine's cores with the server.
Then an upload is cut short halfway and the server's log is read for tracebacks. Last, the
same rounds run on bench/bare_page.py, the least a Streamlit page can do for such a session: its
figures say what the machine allows any page, ours included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.load_cpu import CORES
from bench.load_page import TOKEN_DELAY_S, TTFT_S, Arrivals, Round, one_round, walk_away
from bench.sections import Verdict, table
from tests.support.apps import free_port, streamlit_server
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from vision.echo import EchoServer
from vision.server_log import BROWSER_LEFT
from vision.settings import API_KEY_VARIABLE, BASE_URL_VARIABLE

API_KEY = "bench-key"
SESSIONS = (10, 20)
LONE_REPEATS = 3
TARGET_SESSIONS = 20
TARGET_RATIO = 1.5
TARGET_CPU_S = 0.3


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _fmt(value: float | None, unit: str = " s") -> str:
    return "–" if value is None else f"{value:.2f}{unit}"


def _ratio(value: float | None, base: float | None) -> str:
    return "–" if value is None or not base else f"{value / base:.2f}×"


@dataclass(frozen=True, slots=True)
class Rig:
    """Where the sessions' browsers run and where the app servers listen. The defaults share
    this machine; a Playwright browser server elsewhere (`playwright launch-server`) keeps the
    browsers off the server's cores, as people's own computers are."""

    browsers: str | None = None  # that server's ws:// address; None: Debian's Chromium here
    address: str = "127.0.0.1"  # what the app servers bind to and the browsers open

    @property
    def remote(self) -> bool:
        """True when the browsers run elsewhere (their CPU is not measured here)."""
        return self.browsers is not None


@dataclass(frozen=True, slots=True)
class Measured:
    """Every round of one run and what the server logged."""

    lone: tuple[Round, ...]
    rounds: dict[int, Round]
    tracebacks: tuple[str, ...]
    walk_away: str  # why the mid-upload departure could not be staged, or ""
    departure_logged: bool  # the server saw that browser go (a line, or a traceback)
    bare_lone: tuple[Round, ...] = ()  # the same, on bench/bare_page.py
    bare_rounds: dict[int, Round] = field(default_factory=dict)
    remote: bool = False  # the browsers ran elsewhere


def _tracebacks(log: str) -> tuple[str, ...]:
    """The last line of each traceback in the server log (the exception and its message)."""
    found: list[str] = []
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            rest = lines[index + 1 :]
            ends = [text for text in rest if text and not text.startswith((" ", "\t"))]
            found.append(ends[0] if ends else line)
    return tuple(found)


async def _rounds(
    url: str,
    pid: int,
    sessions: Sequence[int],
    lone: int,
    arrivals: Arrivals,
    *,
    walk: bool,
    rig: Rig,
) -> tuple[list[Round], str]:
    """A warm-up, the lone rounds, a round of each size; then, with walk, the departure."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        if rig.browsers is not None:
            browser = await playwright.chromium.connect(rig.browsers)
        else:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=list(CHROMIUM_ARGS)
            )
        try:
            await one_round(browser, url, pid, 1, arrivals)  # warm-up: imports, caches
            rounds = [await one_round(browser, url, pid, 1, arrivals) for _ in range(lone)]
            for count in sessions:
                print(f"(round of {count} sessions…)", flush=True)
                rounds.append(await one_round(browser, url, pid, count, arrivals))
            why_not = await walk_away(browser, url) if walk else ""
        finally:
            await browser.close()
    return rounds, why_not


def measure(
    sessions: Sequence[int] = SESSIONS,
    lone: int = LONE_REPEATS,
    keep_log: Path | None = None,
    *,
    bare: bool = True,
    rig: Rig = Rig(),
) -> Measured:
    """Start the echo and the app server (the project's own settings, as `make run` starts it),
    run the rounds, and read the server's log; then the same rounds on the bare page."""
    with (
        tempfile.TemporaryDirectory(prefix="vision-load-") as folder,
        EchoServer(api_key=API_KEY, ttft_s=TTFT_S, token_delay_s=TOKEN_DELAY_S) as echo,
    ):
        arrivals = Arrivals(echo)
        env = {
            **os.environ,
            BASE_URL_VARIABLE: echo.base_url,
            API_KEY_VARIABLE: API_KEY,
            "VISION_HISTORY_PATH": str(Path(folder) / "history.sqlite3"),
        }
        log_path = Path(folder) / "streamlit.log"
        with streamlit_server(
            script="streamlit_app.py",
            port=free_port(),
            env=env,
            log=log_path,
            address=rig.address,
        ) as (url, process):
            print(f"(app server pid {process.pid} on {url})", flush=True)
            rounds, why_not = asyncio.run(
                _rounds(url, process.pid, sessions, lone, arrivals, walk=True, rig=rig)
            )
        text = log_path.read_text(encoding="utf-8", errors="replace")
        if keep_log is not None:
            keep_log.write_text(text, encoding="utf-8")
        bare_rounds: list[Round] = []
        if bare:
            with streamlit_server(
                script="bench/bare_page.py",
                port=free_port(),
                env=os.environ,
                log=Path(folder) / "bare.log",
                address=rig.address,
            ) as (url, process):
                print(f"(bare page pid {process.pid} on {url})", flush=True)
                bare_rounds, _ = asyncio.run(
                    _rounds(url, process.pid, sessions, lone, arrivals, walk=False, rig=rig)
                )
    return Measured(
        lone=tuple(rounds[:lone]),
        rounds=dict(zip(sessions, rounds[lone:], strict=True)),
        tracebacks=_tracebacks(text),
        walk_away=why_not,
        departure_logged=BROWSER_LEFT in text or "ClientDisconnect" in text,
        bare_lone=tuple(bare_rounds[:lone]),
        bare_rounds=dict(zip(sessions, bare_rounds[lone:], strict=False)),
        remote=rig.remote,
    )


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
    rows += [_row(str(count), [r], lone) for count, r in measured.rounds.items()]
    bare = _pooled(measured.bare_lone) if measured.bare_lone else None
    if bare is not None:
        rows.append(
            _row(f"bare page, 1 (lone, {len(measured.bare_lone)} runs)", measured.bare_lone, bare)
        )
        rows += [
            _row(f"bare page, {count}", [r], bare) for count, r in measured.bare_rounds.items()
        ]
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
            for count in measured.rounds:
                # Every session's Send work has to be done on these cores before the last
                # answers show; half of it before the median does.
                floor = (send + b_send) * count / CORES / 2
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
        for count, r in measured.bare_rounds.items():
            print(
                f"The bare page (bench/bare_page.py: an uploader, a prompt, Send and two "
                f"columns streaming the same answers, nothing else) costs a browser "
                f"{bare_send:.2f} s of CPU per Send; with {count} sessions its median click to "
                f"answers is {_ratio(_median(r.answered()), bare_lone_s)} its lone "
                f"{_fmt(bare_lone_s)}: what this machine allows any Streamlit page."
            )
    for count, r in measured.rounds.items():
        browsers = r.browser_per_session_s * len(r.sessions) / (r.wall_s * CORES)
        if measured.remote:
            print(f"{count} sessions: the app server used {r.server_share:.0%} of all cores.")
            continue
        print(
            f"{count} sessions: the round took {r.wall_s:.0f} s; of all {CORES} cores the app "
            f"server used {r.server_share:.0%}, the browsers {browsers:.0%}, everything "
            f"together {r.machine_busy:.0%}."
        )
    for count, r in measured.rounds.items():
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
    target = measured.rounds.get(TARGET_SESSIONS)
    if target is None:
        return []
    lone_answers = _median(lone.answered())
    median_s = _median(target.answered())
    ratio = median_s / lone_answers if median_s is not None and lone_answers else None
    honoured = target.count("honoured")
    bare_target = measured.bare_rounds.get(TARGET_SESSIONS)
    bare_ratio = ""
    if bare is not None and bare_target is not None:
        bare_ratio = (
            f" (the bare page: {_ratio(_median(bare_target.answered()), _median(bare.answered()))})"
        )
    return [
        Verdict(
            target=f"{TARGET_SESSIONS} concurrent sessions: every Send click honoured",
            measured=f"{honoured}/{len(target.sessions)} honoured",
            passed=honoured == len(target.sessions),
        ),
        Verdict(
            target=f"{TARGET_SESSIONS} sessions: median click→answers ≤ {TARGET_RATIO}× a lone "
            "session's",
            measured=f"{_fmt(median_s)} vs {_fmt(lone_answers)}: "
            f"{'–' if ratio is None else f'{ratio:.2f}×'}{bare_ratio}",
            passed=ratio is not None and ratio <= TARGET_RATIO,
        ),
        Verdict(
            target=f"{TARGET_SESSIONS} sessions: app server CPU ≤ {TARGET_CPU_S} s per session "
            "for one upload and one Send",
            measured=f"{target.cpu_per_session_s:.2f} s (and {target.load_cpu_per_session_s:.2f} s "
            "per cold page load)",
            passed=target.cpu_per_session_s <= TARGET_CPU_S,
        ),
        Verdict(
            target="no traceback in the app server's log (a browser leaving mid-upload included)",
            measured=f"{len(measured.tracebacks)} traceback(s)"
            + ("" if measured.departure_logged else " (no departure seen by the server)"),
            passed=not measured.tracebacks,
        ),
    ]


def load_section(
    sessions: Sequence[int] = SESSIONS,
    lone: int = LONE_REPEATS,
    keep_log: Path | None = None,
    *,
    bare: bool = True,
    rig: Rig = Rig(),
) -> list[Verdict]:
    """Section 9, or one N/A verdict when there is no Chromium to drive."""
    if rig.browsers is None and shutil.which(CHROMIUM) is None:
        print(f"\n### 9. Many people at once: skipped, no {CHROMIUM} (`make chromium`)\n")
        return [Verdict(target="many people at once", measured="no Chromium", passed=None)]
    return report(measure(sessions, lone, keep_log, bare=bare, rig=rig))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the section alone; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench.load_bench", description=__doc__)
    parser.add_argument("--sessions", type=int, nargs="+", default=list(SESSIONS))
    parser.add_argument("--lone", type=int, default=LONE_REPEATS, help="lone-session repeats")
    parser.add_argument("--log", type=Path, help="keep the app server's log in this file")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare page's rounds")
    parser.add_argument(
        "--browsers",
        metavar="WS_URL",
        help="a Playwright browser server on another machine (ws://HOST:PORT/PATH)",
    )
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help="the address the app servers bind to and the browsers open (with --browsers)",
    )
    args = parser.parse_args(argv)
    if args.address != "127.0.0.1" and args.browsers is None:
        parser.error("--address is for browsers elsewhere: give --browsers too")
    rig = Rig(browsers=args.browsers, address=args.address)
    verdicts = load_section(args.sessions, args.lone, args.log, bare=not args.no_bare, rig=rig)
    for verdict in verdicts:
        result = "N/A" if verdict.passed is None else "PASS" if verdict.passed else "FAIL"
        print(f"{result}: {verdict.target}: {verdict.measured}")
    return 1 if any(verdict.passed is False for verdict in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
