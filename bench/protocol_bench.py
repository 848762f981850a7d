"""Many people at once, measured at the server: sessions that speak Streamlit's own protocol (no
browser), each uploading a 3 MP photo and sending it to both documented models, against the app
and against the bare page, with answers from an echo backend that take about a second.

Run alone: .venv/bin/python -m bench.protocol_bench [--sessions 10 20 40] [--lone 5]
[--clicks 20 20] [--no-replicas] [--no-bare] [--profile FOLDER]
A lone session is measured first, in the same run, and every figure is a ratio to it; the bare
page (bench/bare_page.py) gets the same rounds from the same client, each right after ours. Then
a round of many clicks per session that counts clicks left unanswered, and lone sessions and one
round over two app processes on one PostgreSQL. With --profile, one more round of 20 sessions
runs under py-spy (uploads and Sends recorded apart) and where its samples fell is printed; that
round is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from bench import protocol_profile
from bench.protocol_report import Measured, report
from bench.protocol_rig import Echo, Server, bare_page, echo_process, one_app, two_replicas
from bench.protocol_round import Round, one_round
from bench.protocol_session import MODELS
from bench.sections import Verdict

SESSIONS = (10, 20, 40)
LONE_REPEATS = 5  # a lone click on a busy machine varies: the median of five
REPLICA_SESSIONS = 40
# Each replica's fair-use gate lets every one of its sessions' requests through at once (its
# default, 16, would make the round measure the gate's queue, not the app): twenty people a
# replica asking both models, as a deployment for that many sets VISION_MAX_IN_FLIGHT.
REPLICA_IN_FLIGHT = REPLICA_SESSIONS // 2 * MODELS
# Twenty sessions clicking Send twenty-five times each: 500 clicks, the other rounds besides.
CLICK_SESSIONS, CLICKS_EACH = 20, 25
PROFILE_SESSIONS = 20


@dataclass(frozen=True, slots=True)
class Plan:
    """Which rounds to run."""

    sessions: tuple[int, ...] = SESSIONS
    lone: int = LONE_REPEATS
    clicks: tuple[int, int] | None = (CLICK_SESSIONS, CLICKS_EACH)
    replicas: bool = True
    bare: bool = True
    profile: Path | None = None


async def _warm(servers: Sequence[Server], echo: Echo) -> None:
    """A session per server first, uncounted: the first pays the imports."""
    await one_round(servers, len(servers), echo, tag="warm-up")


async def _pair(
    ours: list[Server], bare: list[Server] | None, count: int, echo: Echo, tag: str
) -> tuple[Round, Round | None]:
    """A round on our page, then the same on the bare page: drift on a shared machine hits
    both alike."""
    mine = await one_round(ours, count, echo, tag=tag)
    theirs = None if bare is None else await one_round(bare, count, echo, tag=f"bare {tag}")
    return mine, theirs


async def _rounds(
    ours: list[Server], bare: list[Server] | None, echo: Echo, plan: Plan
) -> Measured:
    """The lone rounds and each size, ours and the bare page's in turn; then our clicks round
    and the profile round."""
    for servers in (ours, bare or []):
        if servers:
            await _warm(servers, echo)
    lone, bare_lone = [], []
    for n in range(plan.lone):
        mine, theirs = await _pair(ours, bare, 1, echo, f"lone {n + 1}")
        lone.append(mine)
        bare_lone += [theirs] if theirs is not None else []
    rounds: dict[int, Round] = {}
    bare_rounds: dict[int, Round] = {}
    for count in plan.sessions:
        print(f"(rounds of {count} protocol sessions…)", flush=True)
        rounds[count], theirs = await _pair(ours, bare, count, echo, f"round {count}")
        if theirs is not None:
            bare_rounds[count] = theirs
    clicks = None
    if plan.clicks is not None:
        sessions, each = plan.clicks
        print(f"({sessions} sessions clicking Send {each} times each…)", flush=True)
        clicks = await one_round(ours, sessions, echo, tag="clicks", clicks=each)
    if plan.profile is not None:
        await _profile(ours, echo, plan.profile)
    return Measured(
        lone=tuple(lone),
        rounds=rounds,
        clicks=clicks,
        bare_lone=tuple(bare_lone),
        bare_rounds=bare_rounds,
    )


async def _profile(servers: list[Server], echo: Echo, folder: Path) -> None:
    if not protocol_profile.available():
        print("(no py-spy here: `pip install py-spy`; the profile round is skipped)")
        return
    folder.mkdir(parents=True, exist_ok=True)
    recorder = protocol_profile.Recorder(servers[0].pid, folder)
    print(f"(round of {PROFILE_SESSIONS} under py-spy, not counted…)", flush=True)
    await one_round(servers, PROFILE_SESSIONS, echo, tag="profile", on_step=recorder.on_step)
    recorder.report()


async def _replicas(
    servers: list[Server], echo: Echo, lone: int
) -> tuple[tuple[Round, ...], Round]:
    """Lone sessions on the pair (their own baseline, taken just before), then the round."""
    await _warm(servers, echo)
    alone = [await one_round(servers, 1, echo, tag=f"replicas lone {n + 1}") for n in range(lone)]
    print(f"(round of {REPLICA_SESSIONS} sessions over two replicas…)", flush=True)
    return tuple(alone), await one_round(servers, REPLICA_SESSIONS, echo, tag="replicas")


def measure(plan: Plan) -> Measured:
    """Start the echo, our app and the bare page, run their rounds; then the two replicas."""
    from tests.support.postgres import PostgresUnavailable

    with (
        tempfile.TemporaryDirectory(prefix="vision-protocol-") as name,
        echo_process() as echo,
        ExitStack() as stack,
    ):
        folder = Path(name)
        ours = stack.enter_context(one_app(echo, folder))
        bare = stack.enter_context(bare_page(echo, folder)) if plan.bare else None
        print(f"(app server pid {ours[0].pid} on {ours[0].url})", flush=True)
        measured = asyncio.run(_rounds(ours, bare, echo, plan))
        stack.close()
        if plan.replicas:
            try:
                with two_replicas(echo, folder, in_flight=REPLICA_IN_FLIGHT) as pair:
                    alone, crowd = asyncio.run(_replicas(pair, echo, plan.lone))
                measured = replace(measured, replicas_lone=alone, replicas=crowd)
            except PostgresUnavailable as err:
                measured = replace(measured, replicas_skipped=str(err))
    return measured


def protocol_section(plan: Plan | None = None) -> list[Verdict]:
    """Section 13."""
    print("\n### 13. Many people at once, measured at the server (bench/protocol_bench.py)\n")
    return report(measure(plan or Plan()))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the section alone; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench.protocol_bench", description=__doc__)
    parser.add_argument("--sessions", type=int, nargs="+", default=list(SESSIONS))
    parser.add_argument("--lone", type=int, default=LONE_REPEATS, help="lone-session repeats")
    parser.add_argument(
        "--clicks",
        type=int,
        nargs=2,
        metavar=("SESSIONS", "EACH"),
        default=[CLICK_SESSIONS, CLICKS_EACH],
        help="the lost-click round (0 0 skips it)",
    )
    parser.add_argument("--no-replicas", action="store_true", help="skip the two-replica round")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare page's rounds")
    parser.add_argument("--profile", type=Path, metavar="FOLDER", help="py-spy recordings here")
    args = parser.parse_args(argv)
    plan = Plan(
        sessions=tuple(args.sessions),
        lone=args.lone,
        clicks=(args.clicks[0], args.clicks[1]) if all(args.clicks) else None,
        replicas=not args.no_replicas,
        bare=not args.no_bare,
        profile=args.profile,
    )
    verdicts = protocol_section(plan)
    for verdict in verdicts:
        result = "N/A" if verdict.passed is None else "PASS" if verdict.passed else "FAIL"
        print(f"{result}: {verdict.target}: {verdict.measured}")
    return 1 if any(verdict.passed is False for verdict in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
