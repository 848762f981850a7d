"""Section 13's figures: each round beside a lone session, our page beside the bare page, and the
verdicts on issue 20's targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.load_page import TOKEN_DELAY_S, TTFT_S
from bench.protocol_round import Round, median
from bench.protocol_session import Traffic
from bench.sections import Verdict, table

TARGET_SESSIONS = 20
TARGET_RATIO = 1.5  # median click→answers against a lone session's
TARGET_BARE_RATIO = 1.25  # our ratio against the bare page's
TARGET_BARE_COST = 2.0  # CPU, messages and bytes per session against the bare page's
TARGET_CLICKS = 500
TARGET_MEMORY = 1.2  # the servers' memory after a round's sessions left, against before it
# Latency is not judged when other people's work took more of the machine than this during a
# round or its baseline: their load, not the app, would set the ratio.
BUSY_LIMIT = 0.25


@dataclass(frozen=True, slots=True)
class Measured:
    """Every round of one run."""

    lone: tuple[Round, ...]
    rounds: dict[int, Round]
    clicks: Round | None = None  # many clicks per session: the lost-click count
    replicas: Round | None = None  # sessions over two app processes on one PostgreSQL
    replicas_lone: tuple[Round, ...] = ()  # lone sessions on them, just before
    replicas_skipped: str = ""
    bare_lone: tuple[Round, ...] = ()
    bare_rounds: dict[int, Round] = field(default_factory=dict)


def _pooled(rounds: Sequence[Round]) -> Round:
    """Lone rounds as one baseline: every session, the median of each cost."""
    first = rounds[0]
    return Round(
        records=tuple(record for r in rounds for record in r.records),
        cpu_s=tuple(
            median([r.cpu_s[i] for r in rounds if len(r.cpu_s) > i]) or 0.0
            for i in range(len(first.cpu_s))
        ),
        rss_before=first.rss_before,
        rss_after=rounds[-1].rss_after,
        load_average=median([r.load_average for r in rounds]) or 0.0,
        machine_busy=median([r.machine_busy for r in rounds]) or 0.0,
        others_busy=median([r.others_busy for r in rounds]) or 0.0,
        client_cpu_s=median([r.client_cpu_s for r in rounds]) or 0.0,
        wall_s=sum(r.wall_s for r in rounds),
    )


def _fmt(value: float | None, unit: str = " s", digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def _ratio(value: float | None, base: float | None) -> float | None:
    return None if value is None or not base else value / base


def _amount(value: float | None, unit: str) -> str:
    """Seconds to three places, kilobytes from bytes to one, counts whole."""
    if unit == " kB":
        return _fmt(None if value is None else value / 1000, unit, 1)
    return _fmt(value, unit, 3 if unit == " s" else 0)


def _x(value: float | None) -> str:
    return _fmt(value, "×")


def _per(traffic: Sequence[Traffic], what: str) -> float | None:
    return median([float(getattr(t, what)) for t in traffic])


def _cpu(r: Round, step: int) -> float | None:
    if len(r.cpu_s) <= step:
        return None
    return r.cpu_s[step] / (r.clicks_each if step == 2 else 1)


def _row(name: str, r: Round, lone: Round) -> tuple[object, ...]:
    answers = r.answered()
    clicks = len(r.records) * r.clicks_each
    sends, uploads = r.step_traffic(2), r.step_traffic(1)
    mb = 1_000_000
    return (
        name,
        f"{clicks - r.unanswered()}/{clicks}",
        _fmt(median(answers)),
        _x(_ratio(median(answers), median(lone.answered()))),
        _fmt(max(answers, default=None)),
        _fmt(median(r.handoffs())),
        _fmt(_cpu(r, 1), digits=3),
        _fmt(_cpu(r, 2), digits=3),
        _fmt(_per(uploads, "messages"), "", 0),
        _fmt((_per(uploads, "bytes") or 0) / 1000, "", 1),
        _fmt(_per(sends, "messages"), "", 0),
        _fmt((_per(sends, "bytes") or 0) / 1000, "", 1),
        f"{_fmt(_per(sends, 'repeated'), '', 0)} · {_fmt(_per(sends, 'repeated_bytes'), '', 0)}",
        f"{r.rss_before / mb:.0f} → {r.rss_after / mb:.0f}",
        f"{r.load_average:.2f}",
        f"{r.machine_busy:.0%}",
        f"{r.others_busy:.0%}",
        _fmt(r.client_cpu_s, digits=3),
    )


HEADERS = (
    "sessions",
    "answered",
    "click→answers median",
    "× lone",
    "worst",
    "click→API median",
    "CPU/session upload",
    "CPU/session Send",
    "msgs/upload",
    "kB/upload",
    "msgs/Send",
    "kB/Send",
    "of which repeats (msgs · bytes)",
    "RSS MB before → after",
    "load avg 1 min",
    "machine busy",
    "others' share",
    "client CPU/session",
)


def _bare_comparison(measured: Measured, lone: Round, bare: Round) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    pairs = [("1", lone, lone, bare, bare)] + [
        (str(n), measured.rounds[n], lone, measured.bare_rounds[n], bare)
        for n in measured.rounds
        if n in measured.bare_rounds
    ]
    for name, ours, our_base, theirs, their_base in pairs:
        our_ratio = _ratio(median(ours.answered()), median(our_base.answered()))
        bare_ratio = _ratio(median(theirs.answered()), median(their_base.answered()))

        def versus(what: str, step: int = 2, o: Round = ours, t: Round = theirs) -> str:
            return _x(_ratio(_per(o.step_traffic(step), what), _per(t.step_traffic(step), what)))

        rows.append(
            (
                name,
                _x(our_ratio),
                _x(bare_ratio),
                _x(_ratio(our_ratio, bare_ratio)),
                _x(_ratio(_cpu(ours, 1), _cpu(theirs, 1))),
                _x(_ratio(_cpu(ours, 2), _cpu(theirs, 2))),
                versus("messages"),
                versus("bytes"),
                _x(_ratio(median(ours.handoffs()), median(theirs.handoffs()))),
            )
        )
    return rows


def report(measured: Measured) -> list[Verdict]:
    """Print the tables; the verdicts on the targets."""
    lone = _pooled(measured.lone)
    rows = [_row(f"1 (lone, {len(measured.lone)} rounds)", lone, lone)]
    rows += [_row(str(n), r, lone) for n, r in measured.rounds.items()]
    if measured.clicks is not None:
        c = measured.clicks
        rows.append(_row(f"{len(c.records)} × {c.clicks_each} clicks", c, lone))
    if measured.replicas is not None and measured.replicas_lone:
        pair = _pooled(measured.replicas_lone)
        rows.append(
            _row(f"two replicas, 1 (lone, {len(measured.replicas_lone)} rounds)", pair, pair)
        )
        rows.append(
            _row(f"two replicas, {len(measured.replicas.records)}", measured.replicas, pair)
        )
    bare = _pooled(measured.bare_lone) if measured.bare_lone else None
    if bare is not None:
        rows.append(_row(f"bare page, 1 (lone, {len(measured.bare_lone)} rounds)", bare, bare))
        rows += [_row(f"bare page, {n}", r, bare) for n, r in measured.bare_rounds.items()]
    table(
        "13. Many people at once, at the server: protocol sessions each upload a 3 MP photo and "
        f"Send to both models, answers in about 1 s (bench/protocol_bench.py; ttft {TTFT_S} s + "
        f"27 × {TOKEN_DELAY_S} s)",
        HEADERS,
        rows,
    )
    print(
        "CPU is the app servers' (all of them) per session above their idle rate, from /proc; "
        "a Send's figures are per click. Messages and bytes are websocket payloads the server "
        "sent a session (cached elements come as references, as a browser asks); repeats are "
        "messages that drew again what the page already showed at that place. Click→API is "
        "until the echo had both requests. RSS after is read once the round's sessions had "
        "hung up, the app's disconnected-session TTL and a few seconds had passed, and one more "
        "visitor had come and gone (Streamlit lets expired sessions go when it keeps another). "
        "Load average and machine busy count every "
        "process on the machine, others' share only those this benchmark did not start; client "
        "CPU is this benchmark's own, on the same cores."
    )
    if measured.replicas_skipped:
        print(f"Two replicas: not measured: {measured.replicas_skipped}")
    others = [("replicas", measured.replicas), ("clicks", measured.clicks)]
    for name, r in [*measured.rounds.items(), *others]:
        for record in r.records if r is not None else ():
            if record.failed:
                print(f"  {name}: a session failed: {record.failed}")
    if bare is not None:
        table(
            "13. Ours against the bare page (bench/bare_page.py), same client, same run",
            ("sessions", "our × lone", "bare × lone", "ours ÷ bare", "upload CPU ÷ bare",
             "Send CPU ÷ bare", "msgs/Send ÷ bare", "bytes/Send ÷ bare", "click→API ÷ bare"),
            _bare_comparison(measured, lone, bare),
        )  # fmt: skip
    return _verdicts(measured, lone, bare)


def _judged(ok: bool, *rounds: Round | None) -> bool | None:
    """A latency verdict, or None when other work took too much of the machine to judge it."""
    busy = max((r.others_busy for r in rounds if r is not None), default=0.0)
    return None if busy > BUSY_LIMIT else ok


def _busy_note(*rounds: Round | None) -> str:
    busy = max((r.others_busy for r in rounds if r is not None), default=0.0)
    return f" (other work took {busy:.0%} of the machine)" if busy > BUSY_LIMIT else ""


def _verdicts(measured: Measured, lone: Round, bare: Round | None) -> list[Verdict]:
    verdicts: list[Verdict] = []
    lone_s = median(lone.answered())
    target = measured.rounds.get(TARGET_SESSIONS)
    bare_target = measured.bare_rounds.get(TARGET_SESSIONS)
    if target is not None:
        ratio = _ratio(median(target.answered()), lone_s)
        verdicts.append(
            Verdict(
                target=f"{TARGET_SESSIONS} protocol sessions: median click→answers ≤ "
                f"{TARGET_RATIO}× a lone session's",
                measured=f"{_fmt(median(target.answered()))} vs {_fmt(lone_s)}: {_x(ratio)}"
                + _busy_note(target, lone),
                passed=_judged(ratio is not None and ratio <= TARGET_RATIO, target, lone),
            )
        )
    if target is not None and bare is not None and bare_target is not None:
        ours = _ratio(median(target.answered()), lone_s)
        theirs = _ratio(median(bare_target.answered()), median(bare.answered()))
        against = _ratio(ours, theirs)
        verdicts.append(
            Verdict(
                target=f"… within {TARGET_BARE_RATIO}× of the bare page's ratio",
                measured=f"{_x(ours)} vs {_x(theirs)}: {_x(against)}"
                + _busy_note(target, lone, bare_target, bare),
                passed=_judged(
                    against is not None and against <= TARGET_BARE_RATIO,
                    target,
                    lone,
                    bare_target,
                    bare,
                ),
            )
        )
        for what, unit, ours_v, theirs_v in (
            ("CPU per session, upload", " s", _cpu(target, 1), _cpu(bare_target, 1)),
            ("CPU per session, Send", " s", _cpu(target, 2), _cpu(bare_target, 2)),
            ("messages per Send", "", _per(target.step_traffic(2), "messages"),
             _per(bare_target.step_traffic(2), "messages")),
            ("bytes per Send", " kB", _per(target.step_traffic(2), "bytes"),
             _per(bare_target.step_traffic(2), "bytes")),
        ):  # fmt: skip
            share = _ratio(ours_v, theirs_v)
            verdicts.append(
                Verdict(
                    target=f"… app {what} ≤ {TARGET_BARE_COST}× the bare page's",
                    measured=f"{_amount(ours_v, unit)} vs {_amount(theirs_v, unit)}: {_x(share)}",
                    passed=share is not None and share <= TARGET_BARE_COST,
                )
            )
    ours_rounds = [*measured.lone, *measured.rounds.values(), *measured.replicas_lone]
    ours_rounds += [r for r in (measured.replicas, measured.clicks) if r is not None]
    clicks = sum(len(r.records) * r.clicks_each for r in ours_rounds)
    lost = sum(r.unanswered() for r in ours_rounds)
    verdicts.append(
        Verdict(
            target=f"no unanswered click over ≥ {TARGET_CLICKS} protocol clicks",
            measured=f"{lost} unanswered of {clicks}",
            passed=lost == 0 and clicks >= TARGET_CLICKS,
        )
    )
    if measured.replicas is not None and measured.replicas_lone:
        r = measured.replicas
        pair = _pooled(measured.replicas_lone)
        pair_s = median(pair.answered())
        ratio = _ratio(median(r.answered()), pair_s)
        verdicts.append(
            Verdict(
                target=f"{len(r.records)} sessions over two replicas on one PostgreSQL: median ≤ "
                f"{TARGET_RATIO}× a lone session's there",
                measured=f"{_fmt(median(r.answered()))} vs {_fmt(pair_s)}: {_x(ratio)}"
                + _busy_note(r, pair),
                passed=_judged(ratio is not None and ratio <= TARGET_RATIO, r, pair),
            )
        )
    growth = max((r.rss_after / r.rss_before for r in ours_rounds if r.rss_before), default=None)
    verdicts.append(
        Verdict(
            target=f"the app's memory once a round's sessions have left ≤ {TARGET_MEMORY}× before",
            measured=f"at worst {_x(growth)}",
            passed=growth is not None and growth <= TARGET_MEMORY,
        )
    )
    return verdicts
