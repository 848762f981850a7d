"""Many people at once: browser sessions each upload a 3 MP photo and Send to both documented
models, against one app server and an echo backend whose answers take about a second.

Run alone: .venv/bin/python -m bench.load_bench [--sessions 10 20] [--lone 3] [--log FILE]
A lone session is measured first, in the same run, and every figure is a ratio to it. Each
session is a Chromium context of its own (Debian's /usr/bin/chromium through Playwright, a cold
profile each); the sessions of a round open the page together, then upload together, then click
Send together. The app server is `streamlit run` with the project's own .streamlit/config.toml,
as `make run` starts it; its CPU comes from /proc, split into page loads and upload + Send, less
its idle rate. The browsers' CPU is shown too: they share the machine's cores with the server.
Last, an upload is cut short halfway and the server's log is read for tracebacks.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.sections import Verdict, table
from tests.support.images import make_photo
from tests.support.uploads import UPLOAD_ROUTE, hang_up_mid_upload
from vision.echo import EchoServer
from vision.server_log import BROWSER_LEFT
from vision.settings import API_KEY_VARIABLE, BASE_URL_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
API_KEY = "bench-key"
# The echo's answer is 28 chunks: 0.3 s to the first, then 27 × 25 ms, about a second in all.
TTFT_S = 0.3
TOKEN_DELAY_S = 0.025
PHOTO_SIZE = (2048, 1536)  # 3.1 MP
SESSIONS = (10, 20)
LONE_REPEATS = 3
TARGET_SESSIONS = 20
TARGET_RATIO = 1.5
TARGET_CPU_S = 0.3
# Every wait is bounded: a round that cannot finish ends with its sessions marked as failed.
LOAD_TIMEOUT_S = 150
ANSWER_TIMEOUT_S = 120
READY_TIMEOUT_S = 240
SETTLE_TIMEOUT_S = 30
# A click is lost when the page sits idle with Send enabled, no answer and no sentence this long.
LOST_AFTER_S = 15
IDLE_SAMPLE_S = 2.0
POLL_MS = 50
CORES = os.cpu_count() or 1

APP_STATE = "[data-testid='stApp']"
IDLE = f"{APP_STATE}[data-test-script-state='notRunning']"

# In the page: the moment Send is clicked, then when both answers are in (or why not).
WATCH_CLICKS = """() => {
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (button && button.innerText.includes('Send') && window.__sendClickAt === undefined) {
      window.__sendClickAt = performance.now();
    }
  }, true);
}"""
LOADED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const idle = app && app.dataset.testScriptState === 'notRunning';
  const send = [...document.querySelectorAll('button')].find(b => b.innerText.includes('Send'));
  return idle && send && document.querySelector("[data-testid='stFileUploaderDropzoneInput']")
    ? performance.now() : false;
}"""
OUTCOME = """([lostAfterMs]) => {
  const clicked = window.__sendClickAt;
  if (clicked === undefined) return false;
  const now = performance.now();
  const text = document.body.textContent;
  const finished = (text.match(/finish: stop/g) || []).length;
  const at = performance.timeOrigin + clicked;
  if (finished >= 2) return {outcome: 'honoured', ms: now - clicked, said: '', at};
  const app = document.querySelector("[data-testid='stApp']");
  const idle = app && app.dataset.testScriptState === 'notRunning';
  const send = [...document.querySelectorAll('button')].find(b => b.innerText.includes('Send'));
  const enabled = send && !send.disabled;
  const said = [...document.querySelectorAll("[data-testid='stAlert'], [data-testid='stToast']")]
    .map(e => e.textContent.trim()).filter(Boolean).join(' / ');
  const quiet = idle && enabled && !text.includes('The models are answering');
  const state = window.__benchQuiet || (window.__benchQuiet = {since: null});
  if (!quiet) { state.since = null; return false; }
  if (state.since === null) state.since = now;
  if (said && now - state.since > 1000) return {outcome: 'sentence', ms: now - clicked, said, at};
  if (now - state.since > lostAfterMs) return {outcome: 'lost', ms: now - clicked, said: '', at};
  return false;
}"""


@dataclass(frozen=True, slots=True)
class Session:
    """What one browser session saw."""

    outcome: str  # honoured, sentence, lost, failed
    load_s: float | None = None
    answers_s: float | None = None
    said: str = ""
    handoff_s: float | None = None  # from the click until the API had both requests
    # (time, server CPU, browser CPU) when loaded, when uploaded, when the Send had settled
    marks: tuple[tuple[float, float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Round:
    """One round: its sessions, and the app server's CPU seconds per session above idle."""

    sessions: tuple[Session, ...]
    cpu_per_session_s: float  # from every page loaded to every Send settled: upload and Send
    load_cpu_per_session_s: float  # from the round's start until every page had loaded
    wall_s: float
    browser_per_session_s: float  # Chromium and Playwright, on the same cores as the server
    machine_busy: float  # share of all cores busy during the round, whoever used them
    server_share: float = 0.0  # the app server's share of all cores during the round
    phases: tuple[float, ...] = ()  # a lone session's server CPU: page load, upload, Send
    browser_phases: tuple[float, ...] = ()  # and the browser's

    def answered(self) -> list[float]:
        """Click-to-answers seconds of the honoured clicks."""
        return [s.answers_s for s in self.sessions if s.answers_s is not None]

    def handoffs(self) -> list[float]:
        """Seconds from each honoured click until the API had both its requests."""
        return [s.handoff_s for s in self.sessions if s.handoff_s is not None]

    def loads(self) -> list[float]:
        """Page load seconds of the sessions whose page loaded."""
        return [s.load_s for s in self.sessions if s.load_s is not None]

    def count(self, outcome: str) -> int:
        """How many sessions ended this way."""
        return sum(session.outcome == outcome for session in self.sessions)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            health = f"{url}/_stcore/health"  # always http on loopback, built above
            with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


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


def browser_cpu_seconds(server_pid: int) -> float:
    """CPU seconds of this process's descendants but the app server (Playwright and Chromium),
    with the renderers they have already reaped."""
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
            if pid in (server_pid, 0, 1):
                return False
            if parents.get(pid) == ours:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(seconds for pid, seconds in times.items() if descends(pid))


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process (all its threads), from /proc/<pid>/stat."""
    fields = _stat_fields(pid)
    if fields is None:
        raise RuntimeError(f"the app server (pid {pid}) is gone")
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


class Arrivals:
    """When the echo received each chat request, by its prompt (each session asks its own)."""

    def __init__(self, echo: EchoServer) -> None:
        self.items: list[tuple[float, str]] = []
        add = echo.log.add

        def recording(record: Any) -> None:
            if record.path.endswith("/chat/completions") and record.body:
                self.items.append((time.time(), _prompt_of(record.body)))
            add(record)

        echo.log.add = recording  # type: ignore[method-assign]

    def handoff(self, prompt: str, clicked_at: float) -> float | None:
        """Seconds from a click until both its requests had arrived, or None."""
        times = [at for at, asked in list(self.items) if asked == prompt and at >= clicked_at]
        return max(times[:2]) - clicked_at if len(times) >= 2 else None


def _prompt_of(body: dict[str, Any]) -> str:
    try:
        return str(body["messages"][-1]["content"][0]["text"])
    except (KeyError, IndexError, TypeError):
        return ""


class Gate:
    """Holds every session of a round at one step until all are there (or some gave up),
    bounded; notes the time and the server's CPU when it opens."""

    def __init__(self, sessions: int, pid: int) -> None:
        self.waiting = sessions
        self.pid = pid
        self.go = asyncio.Event()
        self.opened: tuple[float, float] | None = None
        self._left: set[int] = set()

    def leave(self, who: int) -> None:
        if who in self._left:
            return
        self._left.add(who)
        self.waiting -= 1
        if self.waiting <= 0 and not self.go.is_set():
            self.opened = (time.perf_counter(), cpu_seconds(self.pid))
            self.go.set()

    async def wait(self, who: int) -> None:
        self.leave(who)
        await asyncio.wait_for(self.go.wait(), READY_TIMEOUT_S)


async def _session(
    browser: Any,
    url: str,
    photo: bytes,
    gates: tuple[Gate, Gate],
    arrivals: Arrivals,
    pid: int,
    who: int,
) -> Session:
    """Open the page, wait for the others, upload the photo and type a question, wait again,
    Send, and wait for both answers."""
    prompt = f"What is in this image? (person {who + 1}, {time.time():.3f})"
    loaded_gate, send_gate = gates
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    marks: list[tuple[float, float, float]] = []

    def mark() -> None:
        marks.append((time.perf_counter(), cpu_seconds(pid), browser_cpu_seconds(pid)))

    try:
        page = await context.new_page()
        await page.add_init_script(f"({WATCH_CLICKS})()")
        await page.goto(url, timeout=LOAD_TIMEOUT_S * 1000)
        loaded = await page.wait_for_function(
            LOADED, polling=POLL_MS, timeout=LOAD_TIMEOUT_S * 1000
        )
        load_s = float(await loaded.json_value()) / 1000
        await page.wait_for_selector(IDLE, timeout=LOAD_TIMEOUT_S * 1000)
        mark()
        await loaded_gate.wait(who)
        await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
        width, height = PHOTO_SIZE
        await page.get_by_text(f"JPEG · {width}×{height}").first.wait_for(
            timeout=LOAD_TIMEOUT_S * 1000
        )
        await page.wait_for_selector(IDLE, timeout=LOAD_TIMEOUT_S * 1000)
        mark()
        # Typed, not yet applied: clicking Send applies it, in the same interaction.
        await page.get_by_label("Prompt").fill(prompt, timeout=LOAD_TIMEOUT_S * 1000)
        await send_gate.wait(who)
        await page.get_by_role("button", name="Send").click(timeout=ANSWER_TIMEOUT_S * 1000)
        found = await page.wait_for_function(
            OUTCOME, arg=[LOST_AFTER_S * 1000], polling=POLL_MS, timeout=ANSWER_TIMEOUT_S * 1000
        )
        result = await found.json_value()
        # Let the page's run finish, so the round's CPU includes all the work of a Send.
        await page.wait_for_selector(IDLE, timeout=SETTLE_TIMEOUT_S * 1000)
        mark()
        honoured = result["outcome"] == "honoured"
        return Session(
            outcome=result["outcome"],
            load_s=load_s,
            answers_s=result["ms"] / 1000 if honoured else None,
            said=result["said"],
            handoff_s=arrivals.handoff(prompt, result["at"] / 1000) if honoured else None,
            marks=tuple(marks),
        )
    except Exception as err:  # a page that cannot go on is a figure of this run, not a crash
        return Session(outcome="failed", said=f"{type(err).__name__}: {str(err)[:160]}")
    finally:
        for gate in gates:  # a session that gave up holds nobody back
            gate.leave(who)
        await context.close()


async def _round(browser: Any, url: str, pid: int, sessions: int, arrivals: Arrivals) -> Round:
    """`sessions` concurrent sessions; CPU is measured around them, less the idle rate."""
    photos = [make_photo(PHOTO_SIZE) for _ in range(sessions)]  # each its own bytes
    idle_from = cpu_seconds(pid)
    await asyncio.sleep(IDLE_SAMPLE_S)
    idle_rate = (cpu_seconds(pid) - idle_from) / IDLE_SAMPLE_S
    gates = (Gate(sessions, pid), Gate(sessions, pid))
    busy_from, total_from = machine_ticks()
    browser_from = browser_cpu_seconds(pid)
    cpu_from = cpu_seconds(pid)
    start = time.perf_counter()
    results = await asyncio.gather(
        *(
            _session(browser, url, photo, gates, arrivals, pid, who)
            for who, photo in enumerate(photos)
        )
    )
    wall_s = time.perf_counter() - start
    cpu_to = cpu_seconds(pid)
    loaded_at, loaded_cpu = gates[0].opened or (start, cpu_from)
    loading = loaded_cpu - cpu_from - idle_rate * (loaded_at - start)
    used = cpu_to - loaded_cpu - idle_rate * (start + wall_s - loaded_at)
    busy_to, total_to = machine_ticks()
    browser_s = browser_cpu_seconds(pid) - browser_from
    phases: tuple[float, ...] = ()
    browser_phases: tuple[float, ...] = ()
    if sessions == 1 and len(results[0].marks) == 3:
        points = [(start, cpu_from, browser_from), *results[0].marks]
        pairs = list(itertools.pairwise(points))
        phases = tuple(max(b[1] - a[1] - idle_rate * (b[0] - a[0]), 0.0) for a, b in pairs)
        browser_phases = tuple(b[2] - a[2] for a, b in pairs)
    return Round(
        sessions=tuple(results),
        cpu_per_session_s=max(used, 0.0) / sessions,
        load_cpu_per_session_s=max(loading, 0.0) / sessions,
        wall_s=wall_s,
        browser_per_session_s=browser_s / sessions,
        machine_busy=(busy_to - busy_from) / max(total_to - total_from, 1),
        server_share=(cpu_to - cpu_from) / (wall_s * CORES),
        phases=phases,
        browser_phases=browser_phases,
    )


async def _walk_away(browser: Any, url: str) -> str:
    """An upload whose browser goes away halfway: the page starts an upload (held back), and a
    socket with that upload's address, cookie and XSRF header sends part of it and hangs up
    (closing a throttled page drops its upload at no reliable moment); returns "" or why not."""
    context = await browser.new_context()
    held: list[tuple[str, dict[str, str]]] = []

    async def hold(route: Any) -> None:
        held.append((route.request.url, await route.request.all_headers()))
        await route.abort()

    try:
        page = await context.new_page()
        await page.goto(url, timeout=LOAD_TIMEOUT_S * 1000)
        await page.wait_for_function(LOADED, polling=POLL_MS, timeout=LOAD_TIMEOUT_S * 1000)
        await page.route(UPLOAD_ROUTE, hold)
        await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "small.jpg", "mimeType": "image/jpeg", "buffer": make_photo((64, 64))}],
            timeout=LOAD_TIMEOUT_S * 1000,
        )
        for _ in range(100):  # bounded: ten seconds
            if held:
                break
            await asyncio.sleep(0.1)
        if not held:
            return "the page never started an upload"
        await asyncio.to_thread(hang_up_mid_upload, *held[0])
    except Exception as err:  # the check is then not made, and the report says so
        return f"{type(err).__name__}: {str(err)[:160]}"
    finally:
        await context.close()
    await asyncio.sleep(2)  # the server notices the closed connection
    return ""


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
    rounds: dict[int, Round]
    tracebacks: tuple[str, ...]
    walk_away: str  # why the mid-upload departure could not be staged, or ""
    departure_logged: bool  # the server saw that browser go (a line, or a traceback)


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


async def _measure(
    url: str, pid: int, sessions: Sequence[int], lone: int, arrivals: Arrivals
) -> tuple[list[Round], str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await _round(browser, url, pid, 1, arrivals)  # warm-up: imports, caches
            rounds = [await _round(browser, url, pid, 1, arrivals) for _ in range(lone)]
            for count in sessions:
                print(f"(round of {count} sessions…)", flush=True)
                rounds.append(await _round(browser, url, pid, count, arrivals))
            walk_away = await _walk_away(browser, url)
        finally:
            await browser.close()
    return rounds, walk_away


def measure(
    sessions: Sequence[int] = SESSIONS, lone: int = LONE_REPEATS, keep_log: Path | None = None
) -> Measured:
    """Start the echo and the app server, run the rounds, and read the server's log."""
    with (
        tempfile.TemporaryDirectory(prefix="vision-load-") as folder,
        EchoServer(api_key=API_KEY, ttft_s=TTFT_S, token_delay_s=TOKEN_DELAY_S) as echo,
    ):
        arrivals = Arrivals(echo)
        port = _free_port()
        env = {
            **os.environ,
            BASE_URL_VARIABLE: echo.base_url,
            API_KEY_VARIABLE: API_KEY,
            "VISION_HISTORY_PATH": str(Path(folder) / "history.sqlite3"),
        }
        command = [
            sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
        ]  # fmt: skip
        log_path = Path(folder) / "streamlit.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_healthy(url, process)
                print(f"(app server pid {process.pid} on {url})", flush=True)
                rounds, walk_away = asyncio.run(
                    _measure(url, process.pid, sessions, lone, arrivals)
                )
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        text = log_path.read_text(encoding="utf-8", errors="replace")
        if keep_log is not None:
            keep_log.write_text(text, encoding="utf-8")
    return Measured(
        lone=tuple(rounds[:lone]),
        rounds=dict(zip(sessions, rounds[lone:], strict=True)),
        tracebacks=_tracebacks(text),
        walk_away=walk_away,
        departure_logged=BROWSER_LEFT in text or "ClientDisconnect" in text,
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
    if phases and browser_phases:
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
    for count, r in measured.rounds.items():
        browsers = r.browser_per_session_s * len(r.sessions) / (r.wall_s * CORES)
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
            f"{'–' if ratio is None else f'{ratio:.2f}×'}",
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
    sessions: Sequence[int] = SESSIONS, lone: int = LONE_REPEATS, keep_log: Path | None = None
) -> list[Verdict]:
    """Section 9, or one N/A verdict when there is no Chromium to drive."""
    if shutil.which(CHROMIUM) is None:
        print(f"\n### 9. Many people at once: skipped, no {CHROMIUM} (`make chromium`)\n")
        return [Verdict(target="many people at once", measured="no Chromium", passed=None)]
    return report(measure(sessions, lone, keep_log))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the section alone; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench.load_bench", description=__doc__)
    parser.add_argument("--sessions", type=int, nargs="+", default=list(SESSIONS))
    parser.add_argument("--lone", type=int, default=LONE_REPEATS, help="lone-session repeats")
    parser.add_argument("--log", type=Path, help="keep the app server's log in this file")
    args = parser.parse_args(argv)
    verdicts = load_section(args.sessions, args.lone, args.log)
    for verdict in verdicts:
        result = "N/A" if verdict.passed is None else "PASS" if verdict.passed else "FAIL"
        print(f"{result}: {verdict.target}: {verdict.measured}")
    return 1 if any(verdict.passed is False for verdict in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
