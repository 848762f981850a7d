"""Many people at once in real Chromium, the check that no click is lost: browser sessions each
upload a 3 MP photo and Send to both documented models, against one app server and an echo
backend whose answers take about a second. (The browsers share the server's cores, so latency
and the server's costs are judged by section 13's protocol sessions, bench/protocol_bench.py.)

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
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.load_page import TOKEN_DELAY_S, TTFT_S, Arrivals, Round, one_round, walk_away
from bench.load_report import Measured, report
from bench.sections import Verdict
from tests.support.apps import free_port, streamlit_server
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from vision.echo import EchoServer
from vision.server_log import BROWSER_LEFT
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE

API_KEY = "bench-key"
# Five rounds of twenty: the lost-click verdict counts every click of them.
SESSIONS = (10, 20, 20, 20, 20, 20)
LONE_REPEATS = 3


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
                env=env,  # it asks the same echo
                log=Path(folder) / "bare.log",
                address=rig.address,
            ) as (url, process):
                print(f"(bare page pid {process.pid} on {url})", flush=True)
                sizes = tuple(dict.fromkeys(sessions))  # one round of each size is its baseline
                bare_rounds, _ = asyncio.run(
                    _rounds(url, process.pid, sizes, lone, arrivals, walk=False, rig=rig)
                )
    return Measured(
        lone=tuple(rounds[:lone]),
        rounds=tuple(zip(sessions, rounds[lone:], strict=True)),
        tracebacks=_tracebacks(text),
        walk_away=why_not,
        departure_logged=BROWSER_LEFT in text or "ClientDisconnect" in text,
        bare_lone=tuple(bare_rounds[:lone]),
        bare_rounds=tuple(zip(dict.fromkeys(sessions), bare_rounds[lone:], strict=False)),
        remote=rig.remote,
    )


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
