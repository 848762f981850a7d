"""A round of protocol sessions at once: each opens the page, uploads a 3 MP photo and clicks
Send, all of them together at each step; the app servers' CPU per step, their memory before the
round and after its sessions have gone, and the machine's load."""

from __future__ import annotations

import asyncio
import itertools
import os
import resource
import statistics
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.load_cpu import CORES, cpu_seconds, family_cpu_seconds, machine_ticks, rss_bytes
from bench.load_page import PHOTO_SIZE
from bench.protocol_rig import TEAM_DOMAIN, Echo, Server
from bench.protocol_session import Click, ProtocolSession, Traffic, session_error
from tests.support.images import make_photo
from vision.server_memory import HAND_BACK_INTERVAL_S

STEPS = ("page load", "upload", "Send")
IDLE_SAMPLE_S = 2.0
# Sessions gone, the servers get this long past the app's disconnected-session TTL to let go of
# them before their memory is read.
SETTLE_S = 5.0
CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
STREAMLIT_DEFAULT_TTL_S = 120
STEP_TIMEOUT_S = 300.0


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """What one session did and saw."""

    server: int  # which app process it spoke to
    steps: tuple[Traffic, ...]  # page load and upload, as far as it got
    clicks: tuple[Click, ...]
    handoffs: tuple[float | None, ...] = ()  # per click: until the API had both requests
    failed: str = ""


@dataclass(frozen=True, slots=True)
class Round:
    """One round: its sessions, and the servers' costs per session."""

    records: tuple[SessionRecord, ...]
    cpu_s: tuple[float, ...]  # per session, above idle, all servers: page load, upload, Send
    rss_before: int  # the servers' resident memory in all, before the round
    rss_after: int  # and once its sessions had hung up and SETTLE_S had passed
    load_average: float  # the machine's one-minute load average at the round's end
    machine_busy: float  # the share of all cores busy during the round, whoever used them
    others_busy: float  # the share of all cores used by processes this benchmark did not start
    client_cpu_s: float  # the sessions' own CPU (this process) per session
    wall_s: float
    clicks_each: int = 1

    def clicks(self) -> list[Click]:
        """Every click of the round."""
        return [click for record in self.records for click in record.clicks]

    def answered(self) -> list[float]:
        """Click-to-both-answers seconds of the answered clicks."""
        return [c.answers_s for c in self.clicks() if c.answers_s is not None]

    def unanswered(self) -> int:
        """Clicks with no answers in time, and clicks that failed sessions never made."""
        missing = sum(self.clicks_each - len(record.clicks) for record in self.records)
        return missing + sum(c.answers_s is None for c in self.clicks())

    def handoffs(self) -> list[float]:
        """Seconds from each answered click until the API had both its requests."""
        return [h for record in self.records for h in record.handoffs if h is not None]

    def step_traffic(self, step: int) -> list[Traffic]:
        """Each session's traffic at a step (0 page load, 1 upload; 2 is per click)."""
        if step == 2:
            return [click.traffic for click in self.clicks()]
        return [record.steps[step] for record in self.records if len(record.steps) > step]


@dataclass
class Steps:
    """Holds every session at the end of each step until all are there (a failed session
    holds nobody back); notes the time and the servers' CPU as each step ends."""

    sessions: int
    pids: Sequence[int]
    on_step: Callable[[int], None] | None = None
    ends: list[tuple[float, float]] = field(default_factory=list)
    _arrived: list[set[int]] = field(default_factory=lambda: [set() for _ in STEPS])
    _open: list[asyncio.Event] = field(default_factory=lambda: [asyncio.Event() for _ in STEPS])

    def _check(self, step: int) -> None:
        if len(self._arrived[step]) >= self.sessions and not self._open[step].is_set():
            self.ends.append((time.perf_counter(), _cpu(self.pids)))
            self._open[step].set()
            if self.on_step is not None:
                self.on_step(step)

    async def reached(self, step: int, who: int) -> None:
        """This session has done the step; wait for the others."""
        self._arrived[step].add(who)
        self._check(step)
        await asyncio.wait_for(self._open[step].wait(), STEP_TIMEOUT_S)

    def gone(self, who: int) -> None:
        """This session will do no more steps."""
        for step in range(len(STEPS)):
            self._arrived[step].add(who)
            self._check(step)


def _cpu(pids: Sequence[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prompt_for(tag: str, who: int, click: int) -> str:
    """Each click asks its own question, so the echo's arrivals can be paired with it."""
    return f"What is in this image? ({tag}, session {who + 1}, click {click + 1})"


async def _session(
    server: Server, index: int, photo: bytes, steps: Steps, who: int, clicks: int, tag: str
) -> SessionRecord:
    session = ProtocolSession(server.url)
    done: list[Traffic] = []
    made: list[Click] = []
    try:
        opened = await session.open()
        if server.signs_in:
            opened = await session.sign_in(f"person-{who + 1}@{TEAM_DOMAIN}")
        done.append(opened)
        await steps.reached(0, who)
        done.append(await session.upload("photo.jpg", photo))
        await steps.reached(1, who)
        for click in range(clicks):
            made.append(await session.send(prompt_for(tag, who, click)))
        await steps.reached(2, who)
        return SessionRecord(server=index, steps=tuple(done), clicks=tuple(made))
    except Exception as err:  # a session that cannot go on is a figure of the round
        return SessionRecord(index, tuple(done), tuple(made), failed=session_error(err))
    finally:
        steps.gone(who)
        await session.close()


def _handoffs(record: SessionRecord, arrivals: list[tuple[float, str]]) -> SessionRecord:
    found: list[float | None] = []
    for click in record.clicks:
        times = sorted(at for at, asked in arrivals if asked == click.prompt)
        answered = click.answers_s is not None and len(times) >= 2
        found.append(times[1] - click.clicked_at if answered else None)
    return SessionRecord(record.server, record.steps, record.clicks, tuple(found), record.failed)


async def one_round(
    servers: Sequence[Server],
    sessions: int,
    echo: Echo,
    *,
    tag: str,
    clicks: int = 1,
    on_step: Callable[[int], None] | None = None,
) -> Round:
    """`sessions` sessions at once, spread evenly over the servers (each stays on one)."""
    pids = [server.pid for server in servers]
    photos = [make_photo(PHOTO_SIZE) for _ in range(sessions)]  # each its own bytes
    echo.arrivals()  # forget the warm-up's
    idle_from = _cpu(pids)
    await asyncio.sleep(IDLE_SAMPLE_S)
    idle_rate = (_cpu(pids) - idle_from) / IDLE_SAMPLE_S
    rss_before = sum(rss_bytes(pid) for pid in pids)
    steps = Steps(sessions, pids, on_step)
    busy_from, total_from = machine_ticks()
    family_from = family_cpu_seconds()
    client_from = _own_cpu()
    start = (time.perf_counter(), _cpu(pids))
    records = await asyncio.gather(
        *(
            _session(
                servers[who % len(servers)], who % len(servers), photo, steps, who, clicks, tag
            )
            for who, photo in enumerate(photos)
        )
    )
    wall_s = time.perf_counter() - start[0]
    client_s = _own_cpu() - client_from
    busy_to, total_to = machine_ticks()
    family_s = family_cpu_seconds() - family_from
    load_average = os.getloadavg()[0]
    busy_s = (busy_to - busy_from) / os.sysconf("SC_CLK_TCK")
    marks = [start, *steps.ends]
    cpu = tuple(
        max(b[1] - a[1] - idle_rate * (b[0] - a[0]), 0.0) / sessions
        for a, b in itertools.pairwise(marks)
    )
    await _let_go(servers)
    arrivals = echo.arrivals()
    return Round(
        records=tuple(_handoffs(record, arrivals) for record in records),
        cpu_s=cpu,
        rss_before=rss_before,
        rss_after=sum(rss_bytes(pid) for pid in pids),
        load_average=load_average,
        machine_busy=(busy_to - busy_from) / max(total_to - total_from, 1),
        others_busy=max(busy_s - family_s, 0.0) / (wall_s * CORES),
        client_cpu_s=client_s / sessions,
        wall_s=wall_s,
        clicks_each=clicks,
    )


def disconnected_ttl_s() -> int:
    """How long the app keeps a tab that went away (`server.disconnectedSessionTTL`)."""
    server = tomllib.loads(CONFIG.read_text(encoding="utf-8")).get("server", {})
    return int(server.get("disconnectedSessionTTL", STREAMLIT_DEFAULT_TTL_S))


async def _let_go(servers: Sequence[Server]) -> None:
    """Wait out the disconnected sessions' TTL, then one visitor comes and goes on each server
    (Streamlit lets expired sessions go only when it keeps another, as a tab leaving makes it),
    then the app's interval for handing freed memory back to the system passes."""
    await asyncio.sleep(disconnected_ttl_s() + SETTLE_S)
    for server in servers:
        visitor = ProtocolSession(server.url)
        try:
            await visitor.open()
        finally:
            await visitor.close()
    await asyncio.sleep(HAND_BACK_INTERVAL_S + 1.0)


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None
