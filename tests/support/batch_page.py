"""Driving the Batch page in AppTest: run the batch and wait for its results."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.pages import TIMEOUT_S, texts


def finish(at: AppTest, what: str = "the batch did not finish") -> None:
    """Wait for the batch the page started, then run the page again to draw its results."""
    assert at.session_state["batch"].wait(TIMEOUT_S), what
    at.run()
    assert not at.exception


def run_batch(at: AppTest) -> None:
    """Press Run (it must be enabled) and wait for the batch to finish."""
    assert not at.button(key="batch_run").disabled, texts(at)
    at.button(key="batch_run").click().run()
    finish(at)
