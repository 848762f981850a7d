"""Settings from the environment, and the log filter that keeps the key out of every log line."""

from __future__ import annotations

import logging

import pytest

from vision.redaction import KeyRedactionFilter, install_redaction, redact
from vision.settings import DEFAULT_BASE_URL, Settings

SENTINEL = "io-SENTINEL-key-0123456789"


def test_from_env_reads_key_and_base_url():
    settings = Settings.from_env(
        {"IOINTELLIGENCE_API_KEY": f" {SENTINEL} ", "IOINTELLIGENCE_BASE_URL": "http://h:1/v1/"}
    )
    assert settings.api_key == SENTINEL
    assert settings.base_url == "http://h:1/v1"
    assert settings.has_key


def test_from_env_defaults_to_io_intelligence_without_a_key():
    settings = Settings.from_env({})
    assert settings.base_url == DEFAULT_BASE_URL == "https://api.intelligence.io.solutions/api/v1"
    assert not settings.has_key


def test_repr_never_shows_the_key():
    settings = Settings(api_key=SENTINEL)
    assert SENTINEL not in repr(settings)
    assert SENTINEL not in str(settings)


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        (f"Authorization: Bearer {SENTINEL}", SENTINEL),
        ("authorization: bearer abc.def-ghi", "abc.def-ghi"),
        ("key sk-proj-abcdefgh12345 in a message", "sk-proj-abcdefgh12345"),
        (f"the key is {SENTINEL}.", SENTINEL),
    ],
)
def test_redact_masks_tokens_and_the_literal_key(text, leaked):
    cleaned = redact(text, (SENTINEL,))
    assert leaked not in cleaned
    assert "<redacted>" in cleaned


def test_redact_leaves_ordinary_text_alone():
    assert redact("a cat on a sofa", (SENTINEL,)) == "a cat on a sofa"


def _records_through(filter_: logging.Filter, caplog: pytest.LogCaptureFixture) -> str:
    logger = logging.getLogger("tests.redaction")
    logger.addFilter(filter_)
    try:
        with caplog.at_level(logging.DEBUG, logger="tests.redaction"):
            logger.info("message with %s", SENTINEL)
            logger.info("dict args %(key)s", {"key": f"Bearer {SENTINEL}"})
            logger.info(f"inline {SENTINEL}")
            logger.info("headers %s", {"Authorization": f"Bearer {SENTINEL}"})
            try:
                raise RuntimeError(f"boom {SENTINEL}")
            except RuntimeError:
                logger.exception("failed")
    finally:
        logger.removeFilter(filter_)
    return caplog.text + "".join(
        str(record.__dict__) + record.getMessage() for record in caplog.records
    )


def test_filter_scrubs_message_args_dicts_and_tracebacks(caplog):
    captured = _records_through(KeyRedactionFilter((SENTINEL,)), caplog)
    assert SENTINEL not in captured
    assert "boom" in captured  # the traceback survives, minus the key
    assert len(caplog.records) == 5


def test_install_redaction_is_idempotent_and_covers_urllib3():
    first = install_redaction(SENTINEL)
    second = install_redaction(SENTINEL)
    assert first is second
    for name in ("", "urllib3", "urllib3.connectionpool"):
        assert logging.getLogger(name).filters.count(first) == 1
    assert SENTINEL in first.keys
