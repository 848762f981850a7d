"""The server log filter: a browser leaving mid-upload is a line; every other error keeps its
traceback."""

from __future__ import annotations

import logging

import pytest
from starlette.requests import ClientDisconnect

from vision.server_log import BROWSER_LEFT, BrowserLeftFilter, quiet_browser_departures


def _logged(error: BaseException, caplog: pytest.LogCaptureFixture, name: str) -> logging.LogRecord:
    logger = logging.getLogger(name)
    try:
        raise error
    except BaseException as raised:
        logger.error("Exception in ASGI application\n", exc_info=raised)
    return caplog.records[-1]


def test_a_browser_that_left_mid_upload_is_one_warning_line(caplog):
    name = "test.server.left"
    quiet_browser_departures(name)
    with caplog.at_level(logging.INFO, logger=name):
        record = _logged(ClientDisconnect(), caplog, name)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == BROWSER_LEFT
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_any_other_error_keeps_its_traceback(caplog):
    name = "test.server.other"
    quiet_browser_departures(name)
    with caplog.at_level(logging.INFO, logger=name):
        record = _logged(RuntimeError("a real bug"), caplog, name)
    assert record.levelno == logging.ERROR
    assert "Traceback" in caplog.text
    assert "a real bug" in caplog.text


def test_installing_twice_adds_one_filter():
    name = "test.server.twice"
    quiet_browser_departures(name)
    quiet_browser_departures(name)
    filters = logging.getLogger(name).filters
    assert sum(isinstance(existing, BrowserLeftFilter) for existing in filters) == 1
