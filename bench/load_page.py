"""One browser session of the many-people benchmark, and one round of them: what runs in each
page to time it, the gates that make sessions act together, and what each session saw."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Any

from bench.load_cpu import CORES, browser_cpu_seconds, cpu_seconds, machine_ticks
from tests.support.images import make_photo
from tests.support.uploads import UPLOAD_ROUTE, hang_up_mid_upload
from vision.echo import EchoServer

PHOTO_SIZE = (2048, 1536)  # 3.1 MP
# The echo's answer is about 28 chunks: 0.3 s to the first, then 27 × 25 ms, a second in all.
TTFT_S = 0.3
TOKEN_DELAY_S = 0.025
# Every wait is bounded: a round that cannot finish ends with its sessions marked as failed.
LOAD_TIMEOUT_S = 150
ANSWER_TIMEOUT_S = 120
READY_TIMEOUT_S = 240
SETTLE_TIMEOUT_S = 30
# A click is lost when the page sits idle with Send enabled, no answer and no sentence this long.
LOST_AFTER_S = 15
IDLE_SAMPLE_S = 2.0
POLL_MS = 250

APP_STATE = "[data-testid='stApp']"
IDLE = f"{APP_STATE}[data-test-script-state='notRunning']"

# In every page from its first byte: the page notes when it has loaded, when Send was clicked and
# when both answers are in, checking only after the page has changed. Polling for them instead
# (20 times a second, reading the whole page) cost twenty browsers a share of the same two cores
# the server needs; the benchmark now reads the noted times four times a second.
WATCH = """() => {
  const app = () => document.querySelector("[data-testid='stApp']");
  const idle = () => {
    const a = app();
    return Boolean(a) && a.dataset.testScriptState === 'notRunning';
  };
  const send = () => [...document.querySelectorAll('button')]
    .find(b => b.textContent.includes('Send'));
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (button && button.textContent.includes('Send') && window.__sendClickAt === undefined) {
      window.__sendClickAt = performance.now();
    }
  }, true);
  let scheduled = false;
  const check = () => {
    scheduled = false;
    const now = performance.now();
    if (window.__loadedAt === undefined && idle() && send()
        && document.querySelector("[data-testid='stFileUploaderDropzoneInput']")) {
      window.__loadedAt = now;
    }
    if (window.__sendClickAt !== undefined && window.__answersAt === undefined
        && (document.body.textContent.match(/finish: stop/g) || []).length >= 2) {
      window.__answersAt = now;
    }
  };
  new MutationObserver(() => {
    if (!scheduled) { scheduled = true; setTimeout(check, 0); }
  }).observe(document, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ['data-test-script-state'],
  });
}"""
LOADED = "() => window.__loadedAt ?? false"
OUTCOME = """([lostAfterMs]) => {
  const clicked = window.__sendClickAt;
  if (clicked === undefined) return false;
  const at = performance.timeOrigin + clicked;
  if (window.__answersAt !== undefined) {
    return {outcome: 'honoured', ms: window.__answersAt - clicked, said: '', at};
  }
  const now = performance.now();
  const app = document.querySelector("[data-testid='stApp']");
  const idle = app && app.dataset.testScriptState === 'notRunning';
  const send = [...document.querySelectorAll('button')].find(b => b.textContent.includes('Send'));
  const enabled = send && !send.disabled;
  const said = [...document.querySelectorAll("[data-testid='stAlert'], [data-testid='stToast']")]
    .map(e => e.textContent.trim()).filter(Boolean).join(' / ');
  const quiet = idle && enabled && !document.body.textContent.includes('The models are answering');
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
        await page.add_init_script(f"({WATCH})()")
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


async def one_round(browser: Any, url: str, pid: int, sessions: int, arrivals: Arrivals) -> Round:
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


async def walk_away(browser: Any, url: str) -> str:
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
        await page.add_init_script(f"({WATCH})()")
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
