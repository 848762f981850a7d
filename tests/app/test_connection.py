"""The connection (a pasted key, the echo toggle) is the session's, the same on every page."""

from __future__ import annotations

import logging

from tests.conftest import ECHO_API_KEY
from tests.support.models import LLAMA, QWEN
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


def test_a_common_word_pasted_as_a_key_is_refused_with_a_sentence(app, caplog):
    at = app(key=None)
    at.text_input(key="api_key_input").set_value("password").run()
    assert not at.exception
    assert shows(at, "That does not look like an API key, so it was not used")
    assert not shows(at, "Key for this session only")
    assert at.toggle(key="use_echo").value  # still on the echo: nothing was sent with it
    assert at.text_input(key="api_key_input").value == ""
    # The word is not masked in the server's log, as it would be if it had been taken as a key.
    with caplog.at_level(logging.INFO, logger="vision"):
        logging.getLogger("vision").info("the password field was empty")
    assert "the password field was empty" in caplog.text
    at.text_input(key="api_key_input").set_value(ECHO_API_KEY).run()
    assert shows(at, "Key for this session only")
    assert not shows(at, "does not look like an API key")


def test_with_no_key_and_the_echo_off_each_page_shows_the_documented_models_and_what_to_do(app):
    at = app(key=None)
    at.toggle(key="use_echo").set_value(False).run()
    for page, key in (("ui/pages/playground.py", "models"), ("ui/pages/batch.py", "batch_models")):
        at.switch_page(page).run()
        assert not at.exception
        picker = at.multiselect(key=f"{key}_unavailable")
        assert picker.disabled
        assert picker.value == [LLAMA, QWEN]
        assert shows(at, "No API key, and the echo backend is off: paste a key in the sidebar")
        assert shows(at, "or turn on the echo backend to try the page offline.")
    assert at.button(key="batch_run").disabled
