"""Whose 429 pauses whom, through the clients the pages make (vision.connection.new_client) on
this process's gate, against echo backends on loopback: only a rate-limit 429 on the team's key
makes the team's next requests wait; a person's own key, a quota 429 and the echo do not."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from vision.connection import Backend, new_client
from vision.echo import QUOTA_BODY, EchoServer, Fault
from vision.errors import VisionError
from vision.team import gate as gate_module

MODEL = "Qwen/Qwen2-VL-7B-Instruct"
TEAM_KEY = "team-key-0123456789-on-the-server"
OWN_KEY = "alice-own-key-0123456789-pasted"
ECHO_KEY = "the-apps-echo-key-0123456789"
WAIT_S = 3
# A request that was not held answers in well under this; a held one waits about WAIT_S.
NOT_HELD_S = 1.5


@pytest.fixture(autouse=True)
def _fresh_replica_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's gate made anew on first use, as the first page of a replica makes it."""
    monkeypatch.setattr(gate_module, "_gate", None)


@pytest.fixture
def servers() -> Iterator[dict[str, EchoServer]]:
    """One echo for the team's key, one for alice's own key, one standing in for the app's."""
    with (
        EchoServer(api_key=TEAM_KEY) as team,
        EchoServer(api_key=OWN_KEY) as own,
        EchoServer(api_key=ECHO_KEY) as echo,
    ):
        yield {"team": team, "own": own, "echo": echo}


def _backend(servers: dict[str, EchoServer], kind: str, person: str) -> Backend:
    key, source = {
        "team": (TEAM_KEY, "environment"),
        "own": (OWN_KEY, "session"),
        "echo": (ECHO_KEY, "echo"),
    }[kind]
    return Backend(
        base_url=servers[kind].base_url,
        api_key=key,
        key_source=source,  # type: ignore[arg-type]
        workspace=person,
    )


def _until_a_429(ask: Callable[[], object], server: EchoServer) -> threading.Thread:
    """Start `ask` in a thread and return once its request got its 429 (join the thread)."""

    def run() -> None:
        with contextlib.suppress(VisionError):  # a quota 429 ends in an error: expected here
            ask()

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while not any(r.status == 429 for r in server.chat_requests):
        assert time.monotonic() < deadline, "the 429 never came"
        time.sleep(0.02)
    return thread


def _timed(ask: Callable[[], object]) -> float:
    started = time.monotonic()
    ask()
    return time.monotonic() - started


@pytest.mark.parametrize(
    ("source", "body"),
    [("own", None), ("echo", None), ("team", QUOTA_BODY)],
    ids=["rate-limit-on-a-pasted-key", "rate-limit-from-the-echo", "quota-on-the-team-key"],
)
def test_a_429_that_is_not_the_teams_rate_limit_holds_no_team_request(
    servers: dict[str, EchoServer], source: str, body: dict[str, object] | None
) -> None:
    headers = {"Retry-After": str(WAIT_S)}
    servers[source].add_fault(Fault(kind="status", status=429, body=body, headers=headers))
    with (
        new_client(_backend(servers, source, "alice")) as alice,
        new_client(_backend(servers, "team", "bob")) as bob,
    ):
        first = _until_a_429(lambda: alice.chat(model=MODEL, prompt="hit a limit"), servers[source])
        waited = _timed(lambda: bob.chat(model=MODEL, prompt="the team's next question"))
        first.join()
    assert waited < NOT_HELD_S, f"bob's request on the team key waited {waited:.1f} s"


def test_the_team_keys_rate_limit_holds_the_teams_next_request_but_not_a_pasted_key(
    servers: dict[str, EchoServer],
) -> None:
    headers = {"Retry-After": str(WAIT_S)}
    servers["team"].add_fault(Fault(kind="status", status=429, headers=headers))
    with (
        new_client(_backend(servers, "team", "alice")) as alice,
        new_client(_backend(servers, "team", "bob")) as bob,
        new_client(_backend(servers, "own", "carol")) as carol,
    ):
        first = _until_a_429(
            lambda: alice.chat(model=MODEL, prompt="hit the team's limit"), servers["team"]
        )
        carol_waited = _timed(lambda: carol.chat(model=MODEL, prompt="on my own key"))
        bob_waited = _timed(lambda: bob.chat(model=MODEL, prompt="the team's next question"))
        first.join()
    assert carol_waited < NOT_HELD_S
    # Bob asked a moment after the 429 (carol's answer came first): most of the pause was left.
    assert bob_waited >= WAIT_S / 2, f"bob's request on the team key waited {bob_waited:.1f} s"
