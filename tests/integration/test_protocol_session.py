"""The load benchmark's protocol client against real servers on loopback: it uploads a photo and
clicks Send as a browser does, on the Playground and on the bare page, and sees both answers
finish; on the two replicas (a team app) it signs in first; a click on a widget the page does not
have is counted as unanswered, not as answered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bench.protocol_rig import Echo, Server, bare_page, echo_process, one_app, two_replicas
from bench.protocol_session import Click, ProtocolSession
from tests.support.images import make_photo
from tests.support.postgres import PostgresUnavailable, without_postgres

PHOTO = make_photo((640, 480))
T = TypeVar("T")


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    with echo_process() as running:
        yield running


async def _upload_and_send(server: Server, prompt: str) -> tuple[ProtocolSession, Click]:
    session = ProtocolSession(server.url)
    try:
        await session.open()
        upload = await session.upload("photo.jpg", PHOTO)
        assert upload.messages > 0
        return session, await session.send(prompt)
    finally:
        await session.close()


def _run(work: Coroutine[Any, Any, T]) -> T:
    """The coroutine run on a thread of its own: the browser tests' Playwright keeps an event
    loop running on this one for the whole session, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


@pytest.mark.parametrize("page", [one_app, bare_page], ids=["playground", "bare page"])
def test_a_click_gets_both_answers_and_reaches_the_api(
    page: Callable[[Echo, Path], AbstractContextManager[list[Server]]], echo: Echo, tmp_path: Path
) -> None:
    with page(echo, tmp_path) as servers:
        session, click = _run(_upload_and_send(servers[0], "What is here? (test 1)"))
    assert click.answers_s is not None
    assert click.idle_s is not None
    assert click.idle_s >= click.answers_s
    assert click.traffic.messages > 2
    assert click.traffic.bytes > 0
    assert session.page.finished_answers(0) == 2
    prompts = [prompt for _, prompt in echo.arrivals()]
    assert prompts.count("What is here? (test 1)") == 2  # one request per model


def test_a_click_that_draws_no_answers_is_unanswered(echo: Echo, tmp_path: Path) -> None:
    async def click_with_no_models(server: Server) -> Click:
        session = ProtocolSession(server.url)
        try:
            await session.open()
            models = session.page.widget_id("models")
            assert models is not None
            session.page.picked(models, [])  # both models taken off: Send streams nothing
            return await session.send("Nobody answers this", answer_timeout_s=3)
        finally:
            await session.close()

    with bare_page(echo, tmp_path) as servers:
        click = _run(click_with_no_models(servers[0]))
    assert click.answers_s is None
    assert click.idle_s is None


def test_a_session_on_the_replicas_signs_in_then_gets_both_answers(
    echo: Echo, tmp_path: Path
) -> None:
    async def signed_in_click(server: Server) -> tuple[bool, Click]:
        session = ProtocolSession(server.url)
        try:
            await session.open()
            signed_out_sees_playground = session.page.widget_id("images") is not None
            await session.sign_in("person-1@bench.example")
            await session.upload("photo.jpg", PHOTO)
            return signed_out_sees_playground, await session.send("What is here? (replica)")
        finally:
            await session.close()

    try:
        with two_replicas(echo, tmp_path, in_flight=4) as servers:
            assert all(server.signs_in for server in servers)
            before_sign_in, click = _run(signed_in_click(servers[1]))
    except PostgresUnavailable as exc:
        without_postgres(exc, "the two replicas cannot run")
    assert not before_sign_in  # the team app shows only its sign-in screen until then
    assert click.answers_s is not None
