"""A Send click under load: another rerun may reach the server at any moment of the run that
follows the click (a widget the person changed, an upload finishing, a reconnect), and Streamlit
then stops that run at its next yield point. Every such moment is tried: the click is honoured
once, never dropped and never sent twice; a click that cannot go is answered with a sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.scriptrunner import RerunData, ScriptRunner
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from tests.support.images import make_photo
from tests.support.pages import shows, texts
from tests.support.playground_page import ANSWER_TIMEOUT_S, LIVE_KEY, upload
from vision.echo import EchoServer

# Yield points after the one where Streamlit hands the click to the page; every one up to the
# run's start (measured below), and some beyond it, gets an interrupting rerun.
MARGIN = 25
# Streamlit's own first yield of a run comes before it calls the click's callback: a rerun that
# arrives there replaces the click before the page can see it (Streamlit's, not the page's).
FIRST_PAGE_YIELD = 2
SETTLE_RUNS = 5


@dataclass
class Interruption:
    """Where, in the yields of the next script run, a rerun request arrives."""

    at: int | None = None  # None: no interruption, only counting
    count: int = 0
    fired: bool = False
    states: WidgetStates | None = None
    started_at: int | None = None  # the yield at which the echo first had a new request
    echo: EchoServer | None = None
    before: int = 0


@pytest.fixture
def interruption(monkeypatch: pytest.MonkeyPatch) -> Interruption:
    """Streamlit's yield check (a private method, the point where a rerun stops a running
    script) wrapped so a test can make a rerun request arrive at the k-th yield of a run."""
    plan = Interruption()
    original: Callable[[Any], None] = ScriptRunner._maybe_handle_execution_control_request

    def interrupting(runner: Any) -> None:
        if runner._execing and runner._is_in_script_thread() and not plan.fired:
            plan.count += 1
            if (
                plan.started_at is None
                and plan.echo is not None
                and len(plan.echo.chat_requests) > plan.before
            ):
                plan.started_at = plan.count
            if plan.at is not None and plan.count == plan.at:
                plan.fired = True
                ctx = get_script_run_ctx()
                assert ctx is not None
                runner._requests.request_rerun(
                    RerunData(widget_states=plan.states, page_script_hash=ctx.page_script_hash)
                )
        original(runner)

    monkeypatch.setattr(ScriptRunner, "_maybe_handle_execution_control_request", interrupting)
    return plan


def _click_send(
    at: AppTest, plan: Interruption, echo: EchoServer, prompt: str, at_yield: int | None
):
    """Type a prompt and click Send in one interaction, as Ctrl+Enter does; a rerun carrying the
    same widgets without the click arrives at the given yield of that run."""
    at.text_area(key="prompt").set_value(prompt)
    plan.states = at._tree.get_widget_states()  # what the browser sends again, click excluded
    plan.at, plan.count, plan.fired = at_yield, 0, False
    plan.echo, plan.before, plan.started_at = echo, len(echo.chat_requests), None
    at.button(key="send").click().run()
    plan.at, plan.echo = None, None
    live = at.session_state.get(LIVE_KEY)
    if live is not None:  # the answers stream between the page's runs
        live.wait(ANSWER_TIMEOUT_S)
    for _ in range(SETTLE_RUNS):  # the answers stream in the background; Send comes back after
        if not at.button(key="send").disabled:
            break
        at.run()


def test_a_rerun_at_any_moment_after_a_send_click_neither_loses_nor_repeats_it(
    app, echo, interruption
):
    at = app()
    upload(at, ("photo.jpg", make_photo((640, 480)), "image/jpeg"))
    _click_send(at, interruption, echo, "Count once.", at_yield=None)
    assert len(echo.chat_requests) == 2
    started_at = interruption.started_at or interruption.count
    assert started_at > FIRST_PAGE_YIELD

    problems = []
    for at_yield in range(FIRST_PAGE_YIELD, started_at + MARGIN):
        before = len(echo.chat_requests)
        prompt = f"Interrupted at yield {at_yield}."
        _click_send(at, interruption, echo, prompt, at_yield)
        sent = [
            request.body["messages"][-1]["content"][0]["text"]
            for request in echo.chat_requests[before:]
        ]
        answered = sum(f"received the prompt “{prompt}”" in text for text in texts(at))
        if (
            at.exception
            or sent != [prompt, prompt]
            or answered != 2
            or at.button(key="send").disabled
        ):
            problems.append(
                f"yield {at_yield}: sent {len(sent)}, {answered} answers shown, "
                f"Send {'disabled' if at.button(key='send').disabled else 'enabled'}"
                + (f", {at.exception[0].value}" if at.exception else "")
            )
    assert not problems, "\n".join(problems)
    assert not shows(at, "Already sending")


def test_a_click_that_cannot_go_is_answered_with_a_sentence(app, echo):
    at = app()
    # No image and no prompt: nothing to ask (an image alone would be asked about).
    at.text_area(key="prompt").set_value("   ")  # cleared and sent in one go, as Ctrl+Enter does
    at.button(key="send").click().run()
    assert not at.exception
    assert echo.chat_requests == []
    assert shows(at, "Not sent: Write a prompt.")
