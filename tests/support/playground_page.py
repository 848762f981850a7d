"""Driving the Playground in AppTest: add images to the uploader, press Send."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.pages import texts as _texts


def upload(at: AppTest, *files: tuple[str, bytes, str]) -> None:
    """Put these (name, bytes, MIME type) files in the Playground's uploader and rerun."""
    at.file_uploader(key="images").set_value(list(files)).run()
    assert not at.exception


def send(at: AppTest) -> None:
    """Press Send, which must be enabled (else the page's text says why), and rerun."""
    assert not at.button(key="send").disabled, _texts(at)
    at.button(key="send").click().run()
    assert not at.exception
