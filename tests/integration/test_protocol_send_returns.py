"""Send comes back once the answers are in, even when a redraw of the streaming answers reaches
the server late: spoken to in Streamlit's protocol on loopback, as a browser on a busy server is.

A browser's redraw timer keeps firing until it hears of the full run that ends the answers; on a
server a few seconds behind, those requests arrive after that run. Streamlit drops a request for
a fragment the page no longer has; for one it still has, it starts a new script runner and
discards whatever the finished run had not yet sent, Send enabled again among it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.protocol_page import PageView
from bench.protocol_rig import Echo, Server, echo_process, one_app
from bench.protocol_session import ProtocolSession
from tests.support.images import make_photo

PHOTO = make_photo((640, 480))
LATE_S = 2.0  # how long a late redraw is given to start a run


class TimersSeen(PageView):
    """The page, also keeping every fragment that was ever given a redraw timer."""

    timed: set[str]

    def __init__(self) -> None:
        super().__init__()
        self.timed = set()

    def apply(self, message: ForwardMsg) -> bool:
        if message.WhichOneof("type") == "auto_rerun":
            self.timed.add(message.auto_rerun.fragment_id)
        return super().apply(message)


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    with echo_process() as running:
        yield running


async def _late_redraw_after_answers(server: Server) -> tuple[bool, set[str], int, bool]:
    """Click Send, wait for Send to come back, then send the streaming answers' redraw late;
    whether the click was answered, the timed fragments, the runs the late redraw started, and
    whether Send is still enabled."""
    session = ProtocolSession(server.url)
    session.page = page = TimersSeen()
    try:
        await session.open()
        await session.upload("photo.jpg", PHOTO)
        click = await session.send("What is here? (late redraw)")
        answered = click.answers_s is not None and page.enabled("send")
        runs = page.runs
        for fragment in page.timed:
            await session.rerun_fragment(fragment)
        await asyncio.sleep(LATE_S)
        return answered, set(page.timed), page.runs - runs, page.enabled("send")
    finally:
        await session.close()


def test_a_late_redraw_of_finished_answers_starts_no_run(echo: Echo, tmp_path: Path) -> None:
    with one_app(echo, tmp_path) as servers, ThreadPoolExecutor(max_workers=1) as pool:
        answered, timed, late_runs, send_enabled = pool.submit(
            asyncio.run, _late_redraw_after_answers(servers[0])
        ).result()
    assert answered  # both answers in, and Send enabled again
    assert timed  # the answers streamed under a redraw timer
    assert late_runs == 0  # the streaming fragment is gone: nothing can replace the full run
    assert send_enabled
