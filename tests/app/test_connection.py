"""The connection (a pasted key, the echo toggle) is the session's, the same on every page."""

from __future__ import annotations

from tests.conftest import ECHO_API_KEY
from tests.support.pages import shows


def test_a_pasted_key_still_sends_after_going_to_batch_and_history(app):
    at = app(key=None)
    at.text_input(key="api_key_input").set_value(ECHO_API_KEY).run()
    assert not at.toggle(key="use_echo").value
    at.switch_page("ui/pages/batch.py").run()
    assert not at.exception
    assert not at.toggle(key="use_echo").value
    assert shows(at, "Key for this session only")
    at.switch_page("ui/pages/history.py").run()
    assert shows(at, "Key for this session only")
    at.switch_page("ui/pages/playground.py").run()
    assert not at.exception
    assert shows(at, "Key for this session only")
    assert at.multiselect(key="models").options  # the model picker is there


def test_the_echo_toggle_keeps_its_position_from_page_to_page(app):
    at = app()  # a configured key: the echo starts off
    assert not at.toggle(key="use_echo").value
    at.toggle(key="use_echo").set_value(True).run()
    for page in ("ui/pages/batch.py", "ui/pages/history.py", "ui/pages/playground.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.toggle(key="use_echo").value, page
        assert shows(at, "Echo backend")
