"""The cost of one log line through the key filter, before and after many sessions pasted a key
and went away: a pasted key is masked only while its session holds it, so the cost stays put."""

from __future__ import annotations

import logging
import secrets

from bench.sections import Verdict, medians, table
from vision.redaction import KeyRedactionFilter, install_redaction
from vision.session_key import SessionKey

SESSIONS = 20_000
LINES = 200
REPEAT = 15
# After every session has gone, a line may cost at most this much more than before any came.
FLAT_TARGET = 1.5


def _key() -> str:
    return "io-v2-" + secrets.token_urlsafe(48)


def _lines(redaction: KeyRedactionFilter) -> None:
    """Filter LINES log records as a request's log lines look (a URL, a status, a time)."""
    for number in range(LINES):
        record = logging.LogRecord(
            "vision.api.client",
            logging.INFO,
            __file__,
            number,
            "POST %s answered %d in %.2f s for %s",
            ("https://api.intelligence.io.solutions/api/v1/chat/completions", 200, 1.25, "Qwen"),
            None,
        )
        redaction.filter(record)


def redaction_section() -> list[Verdict]:
    """Per-line cost of the shared filter once SESSIONS came and went, against a filter with the
    configured key alone (interleaved), and what holding every pasted key would cost."""
    configured = _key()
    shared = install_redaction(configured)  # the configured key, masked for good
    for number in range(SESSIONS):
        session = SessionKey()
        session.paste(_key())
        if number % 2:
            session.release()  # the key replaced or cleared; else the session's state is dropped
    alone = KeyRedactionFilter((configured,))
    all_held = KeyRedactionFilter((configured, *(_key() for _ in range(SESSIONS))))
    times = medians({"alone": lambda: _lines(alone), "gone": lambda: _lines(shared)}, repeat=REPEAT)
    before, after = times["alone"] / LINES, times["gone"] / LINES
    held = medians({"held": lambda: _lines(all_held)}, repeat=3)["held"] / LINES
    ratio = after / before
    table(
        f"12. Log redaction: one log line after {SESSIONS:,} sessions pasted a key "
        "(bench/redaction_bench.py)",
        ("keys masked", "µs a line", "× the configured key alone"),
        [
            ("the configured key alone", f"{before * 1e6:.1f}", "1.00"),
            (
                f"after {SESSIONS:,} pasted keys, their sessions gone ({len(shared.keys)} left)",
                f"{after * 1e6:.1f}",
                f"{ratio:.2f}",
            ),
            (
                f"{SESSIONS:,} pasted keys all still masked",
                f"{held * 1e6:.1f}",
                f"{held / before:.0f}",
            ),
        ],
    )
    return [
        Verdict(
            target=f"log line after {SESSIONS:,} pasted keys ≤ {FLAT_TARGET}× before",
            measured=f"{ratio:.2f}×",
            passed=ratio <= FLAT_TARGET,
        )
    ]


if __name__ == "__main__":
    redaction_section()
