"""A log filter that keeps API keys out of every log line: the configured key for good, a key a
person pasted while something holds it, and anything shaped like a bearer token or sk- key."""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections import Counter
from collections.abc import Mapping
from typing import Any

REDACTED = "<redacted>"

# Bearer tokens and OpenAI-style secret keys are masked even when they are not our key
# (docs/key-redaction.md): a log line may quote a header from another source.
_TOKEN_PATTERN = re.compile(r"(?i)(bearer\s+)\S+|\bsk-[\w-]{8,}")
# Keys this short would mask ordinary words; they are still masked as bearer tokens.
_MIN_LITERAL_KEY_LENGTH = 4


def redact(text: str, keys: tuple[str, ...] = ()) -> str:
    """The text with bearer tokens, sk- keys and the given literal keys masked."""
    for key in keys:
        if len(key) >= _MIN_LITERAL_KEY_LENGTH:
            text = text.replace(key, REDACTED)
    return _TOKEN_PATTERN.sub(
        lambda match: (match.group(1) or "") + REDACTED,
        text,
    )


class KeyRedactionFilter(logging.Filter):
    """Rewrites a log record's message, arguments and traceback text so no key survives.

    A key added with add_key is masked for the life of the process (the configured key); one
    held with hold() only until every holder has released it (a key pasted for a session).
    """

    def __init__(self, keys: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._holders: Counter[str] = Counter(key for key in keys if key)
        # Read by every log record without the lock: replaced whole, never changed in place.
        self.keys: tuple[str, ...] = tuple(self._holders)

    def add_key(self, key: str) -> None:
        """Also mask this literal key from now on, for the life of the process."""
        if key:
            with self._lock:
                self._holders[key] += 1
                self.keys = tuple(self._holders)

    def hold(self, key: str) -> KeyHold:
        """Mask this key until the returned hold is released (or dropped)."""
        self.add_key(key)
        return KeyHold(self, key)

    def release(self, key: str) -> None:
        """Give back one hold on a key; the key stops being masked when none is left."""
        with self._lock:
            if self._holders[key] > 1:
                self._holders[key] -= 1
            else:
                self._holders.pop(key, None)
            self.keys = tuple(self._holders)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            return redact(value, self.keys)
        if isinstance(value, bytes | bytearray):
            return redact(bytes(value).decode("utf-8", "replace"), self.keys)
        if isinstance(value, Mapping):
            return {k: self._clean(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return type(value)(self._clean(v) for v in value)
        if isinstance(value, int | float | bool) or value is None:
            return value
        # Objects are formatted now so their str() (a request, an exception) is scrubbed too.
        return redact(str(value), self.keys)

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record in place; never drops it."""
        record.msg = self._clean(record.msg)
        if isinstance(record.args, Mapping):
            record.args = self._clean(record.args)
        elif record.args:
            record.args = tuple(self._clean(arg) for arg in record.args)
        if record.exc_info and not record.exc_text:
            # Format the traceback now so the scrubbed text is what handlers print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.keys)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.keys)
        return True


# Logger filters only see records logged on that exact logger, so the modules that log are listed;
# handler filters (root's included) see everything that propagates to them.
_LOGGER_NAMES = (
    "",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "requests",
    "vision",
    "vision.api.client",
    "vision.api.retry",
)


def install_redaction(key: str = "", *, loggers: tuple[str, ...] = ()) -> KeyRedactionFilter:
    """Attach one shared redaction filter to the root, urllib3 and vision loggers and handlers
    (and to `loggers`, another library's)."""
    shared = _shared_filter()
    shared.add_key(key)
    for name in (*_LOGGER_NAMES, *loggers):
        logger = logging.getLogger(name)
        if shared not in logger.filters:
            logger.addFilter(shared)
        for handler in logger.handlers:
            if shared not in handler.filters:
                handler.addFilter(shared)
    return shared


def redact_while_held(key: str) -> KeyHold:
    """Mask this key in every log (as install_redaction) until the hold is released or dropped."""
    return install_redaction().hold(key)


class KeyHold:
    """One holder's claim that a key must stay masked; release() (or losing the last reference
    to the hold) gives it back, once."""

    def __init__(self, redaction: KeyRedactionFilter, key: str) -> None:
        self._release = weakref.finalize(self, redaction.release, key) if key else None

    def release(self) -> None:
        """Stop holding the key (a second call does nothing)."""
        if self._release is not None:
            self._release()


_SHARED: list[KeyRedactionFilter] = []


def _shared_filter() -> KeyRedactionFilter:
    if not _SHARED:
        _SHARED.append(KeyRedactionFilter())
    return _SHARED[0]
