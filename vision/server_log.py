"""The app server's log: a browser that goes away mid-upload is one line, not a traceback."""

from __future__ import annotations

import logging

# Where uvicorn (Streamlit's server) logs an exception a request raised.
SERVER_LOGGER = "uvicorn.error"
BROWSER_LEFT = (
    "A browser went away before its request arrived whole (an upload cut short); "
    "nothing of it was kept."
)


def _browser_left(error: BaseException | None) -> bool:
    """True for Starlette's ClientDisconnect, matched by name: no import of the web stack."""
    kind = type(error)
    return (
        error is not None
        and kind.__name__ == "ClientDisconnect"
        and kind.__module__.startswith("starlette")
    )


class BrowserLeftFilter(logging.Filter):
    """Rewrites the traceback of a request whose browser went away as one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record; a browser that left loses its traceback and becomes a note."""
        if record.exc_info and _browser_left(record.exc_info[1]):
            record.msg, record.args = BROWSER_LEFT, ()
            record.exc_info, record.exc_text = None, None
            # A warning, not info: Streamlit leaves this logger without handlers, so what it
            # logs reaches the console through logging's last resort, which drops info.
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_browser_departures(name: str = SERVER_LOGGER) -> None:
    """Install the filter on the server's logger, once per process however often it is called."""
    logger = logging.getLogger(name)
    if not any(isinstance(existing, BrowserLeftFilter) for existing in logger.filters):
        logger.addFilter(BrowserLeftFilter())
