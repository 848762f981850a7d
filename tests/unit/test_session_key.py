"""A key pasted for a session: only something shaped like a key is taken, and it is masked in
the server's log only while a session or a client holds it."""

from __future__ import annotations

import gc
import logging

import pytest

from vision.api.client import VisionClient
from vision.errors import KeyFormatError
from vision.redaction import install_redaction, redact_while_held
from vision.session_key import SessionKey, pasted_key

# The shape of io.net's keys ("io-v2-" and a signed token), cut short.
IO_KEY = "io-v2-eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJvd25lciI6IjBlMjM5MDg5LWE4MTIt"


def _logged(caplog: pytest.LogCaptureFixture, text: str) -> str:
    """The line the server's log shows for a message quoting `text`."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="vision"):
        logging.getLogger("vision").info("the request said %s", text)
    return caplog.records[-1].getMessage()


def test_a_released_key_is_no_longer_masked(caplog):
    key = IO_KEY + "released"
    hold = redact_while_held(key)
    assert key not in _logged(caplog, key)
    hold.release()
    hold.release()  # a second release gives back nothing more
    assert key in _logged(caplog, key)


def test_a_key_stays_masked_while_anyone_still_holds_it(caplog):
    key = IO_KEY + "shared"
    first, second = redact_while_held(key), redact_while_held(key)
    first.release()
    assert key not in _logged(caplog, key)
    second.release()
    assert key in _logged(caplog, key)


def test_a_hold_that_is_dropped_releases_its_key(caplog):
    key = IO_KEY + "dropped"
    session = SessionKey()
    session.paste(key)
    assert key not in _logged(caplog, key)
    del session  # the session's state is dropped when the session ends
    gc.collect()
    assert key in _logged(caplog, key)


def test_a_closed_client_no_longer_masks_a_pasted_key(caplog):
    key = IO_KEY + "client"
    with VisionClient("http://127.0.0.1:9/v1", key):
        assert key not in _logged(caplog, key)
    assert key in _logged(caplog, key)


def test_the_configured_key_stays_masked_after_its_clients_close(caplog):
    key = IO_KEY + "configured"
    install_redaction(key)
    VisionClient("http://127.0.0.1:9/v1", key).close()
    assert key not in _logged(caplog, key)


def test_pasting_another_key_releases_the_first(caplog):
    first, second = IO_KEY + "first", IO_KEY + "second"
    session = SessionKey()
    session.paste(first)
    session.paste(f"  {second}\n")
    assert session.value == second
    assert first in _logged(caplog, first)
    assert second not in _logged(caplog, second)
    session.paste("")
    assert session.value == ""
    assert second in _logged(caplog, second)


@pytest.mark.parametrize(
    "text",
    [
        "password",
        "the",
        "hello",
        "internationalization",  # long, but a word
        "correct-horse-battery-staple",  # a phrase, no digits
        "my key is 0123456789abcdefghij",  # a sentence
        "12345678901234567890123",  # digits only
        "io-v2-<script>0123456789abcdef",
        "a" * 4097 + "1",
    ],
)
def test_a_word_or_phrase_is_refused_as_a_key_with_a_sentence(caplog, text):
    with pytest.raises(KeyFormatError, match="does not look like an API key"):
        pasted_key(text)
    session = SessionKey()
    session.paste(text)
    assert session.value == ""
    assert session.problem.startswith("That does not look like an API key")
    assert text in _logged(caplog, text)  # the word still shows in the server's log


@pytest.mark.parametrize(
    "key",
    [
        IO_KEY + ".Gm1wXrIoo53lYABUz4rHg7l6rYPRhECMp5pLNVNqrPmiz13jVq6LWnvUu1xP9A7W",
        "sk-proj-Abc123def456GHI789jkl012MNO345pqr678",
        "test-key-0123456789abcdef",
        "dGVzdGtleTAxMjM0NTY3ODk=",
    ],
)
def test_keys_of_the_usual_shapes_are_taken(key):
    assert pasted_key(f" {key} ") == key
