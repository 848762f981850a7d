"""Driving the Playground in AppTest: add images to the uploader, press Send, wait for answers."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.pages import texts as _texts

LIVE_KEY = "_live_answers"  # ui.shared.session.LIVE_KEY: the answers streaming, if any
ANSWER_TIMEOUT_S = 30.0


def upload(at: AppTest, *files: tuple[str, bytes, str]) -> None:
    """Put these (name, bytes, MIME type) files in the Playground's uploader and rerun."""
    at.file_uploader(key="images").set_value(list(files)).run()
    assert not at.exception


def streaming(at: AppTest) -> bool:
    """True when the page drew answers still streaming (it offers to stop them all)."""
    return any(str(button.key or "").startswith("stop-all-") for button in at.button)


def answered(at: AppTest, timeout_s: float = ANSWER_TIMEOUT_S) -> None:
    """Run the page again once the answers it drew streaming are in. In a browser they stream
    between runs of the page (its fragment redraws them); AppTest draws only whole runs."""
    live = at.session_state.get(LIVE_KEY)
    if live is not None and streaming(at):
        assert live.wait(timeout_s), "the answers did not finish"
        at.run()
    assert not at.exception


def send(at: AppTest) -> None:
    """Press Send, which must be enabled (else the page's text says why), and wait for the
    answers."""
    assert not at.button(key="send").disabled, _texts(at)
    at.button(key="send").click().run()
    assert not at.exception
    answered(at)
