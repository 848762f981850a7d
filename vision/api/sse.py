"""An incremental Server-Sent Events reader for streamed chat completions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from vision.api.responses import error_detail
from vision.errors import ResponseFormatError, StreamError

DONE = "[DONE]"
# One event line should be a few kilobytes; a megabyte without a newline is not an event stream.
MAX_LINE_BYTES = 1 << 20


def _stream_error(payload: Any, raw: str, keys: tuple[str, ...]) -> StreamError:
    detail = error_detail(raw, keys=keys)
    status: int | None = None
    error = payload.get("error") if isinstance(payload, Mapping) else None
    if isinstance(error, Mapping) and isinstance(error.get("code"), int):
        status = error["code"]
    return StreamError(
        f'The server stopped the answer with an error ("{detail}"): the text so far is kept; '
        "send again to get a full answer.",
        status=status,
    )


def _format_error(raw: str) -> ResponseFormatError:
    shown = raw if len(raw) <= 80 else raw[:79] + "…"
    return ResponseFormatError(
        f"The stream carried data that is not JSON ({shown!r}): the server is not speaking the "
        "OpenAI streaming format; check the base URL."
    )


class SSEDecoder:
    """Feed it the bytes of an event stream as they arrive; it yields each event's JSON object.

    Lines may end in LF, CRLF or CR and may be split anywhere across chunks. Comment lines
    (keep-alives) are skipped, multi-line data is joined, `data: [DONE]` ends the stream.
    An event that carries `error` raises StreamError; data that is not JSON, ResponseFormatError.
    """

    def __init__(self, *, keys: tuple[str, ...] = ()) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event = ""
        self._keys = keys
        self.done = False

    def feed(self, chunk: bytes) -> Iterator[dict[str, Any]]:
        """The events completed by this chunk."""
        if self.done:
            return
        self._buffer += chunk
        while True:
            line, found = self._next_line()
            if not found:
                return
            yield from self._line(line)
            if self.done:
                return

    def finish(self) -> Iterator[dict[str, Any]]:
        """Events left when the connection ends: a last line without its newline is accepted."""
        if self.done:
            return
        if self._buffer:
            rest, self._buffer = self._buffer.rstrip(b"\r"), b""
            yield from self._line(rest.decode("utf-8", "replace"))
        if self._data and not self.done:
            # A final event without its blank line: use it only if it is whole.
            try:
                yield from self._dispatch()
            except ResponseFormatError:
                self._data = []

    def _next_line(self) -> tuple[str, bool]:
        buffer = self._buffer
        lf, cr = buffer.find(b"\n"), buffer.find(b"\r")
        if cr == -1 or (lf != -1 and lf < cr):
            if lf == -1:
                if len(buffer) > MAX_LINE_BYTES:
                    raise _format_error(buffer[:80].decode("utf-8", "replace"))
                return "", False
            line, self._buffer = buffer[:lf], buffer[lf + 1 :]
            return line.decode("utf-8", "replace"), True
        if cr + 1 == len(buffer):
            return "", False  # wait for the next byte: it may be the LF of a CRLF
        end = cr + 2 if buffer[cr + 1] == 0x0A else cr + 1
        line, self._buffer = buffer[:cr], buffer[end:]
        return line.decode("utf-8", "replace"), True

    def _line(self, line: str) -> Iterator[dict[str, Any]]:
        if not line:
            yield from self._dispatch()
            return
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value

    def _dispatch(self) -> Iterator[dict[str, Any]]:
        lines, event = self._data, self._event
        self._data, self._event = [], ""
        if not lines:
            return
        raw = "\n".join(lines)
        if raw.strip() == DONE:
            self.done = True
            return
        for payload in self._decode(raw, lines):
            if not isinstance(payload, dict):
                raise _format_error(json.dumps(payload))
            if event == "error" or payload.get("error"):
                raise _stream_error(payload, json.dumps(payload), self._keys)
            yield payload
        if any(line.strip() == DONE for line in lines):
            self.done = True

    @staticmethod
    def _decode(raw: str, lines: list[str]) -> list[Any]:
        try:
            return [json.loads(raw)]
        except ValueError:
            pass
        # Some servers omit the blank line between events; accept one JSON object per line.
        try:
            return [json.loads(line) for line in lines if line.strip() and line.strip() != DONE]
        except ValueError:
            raise _format_error(raw) from None


def iter_events(chunks: Iterator[bytes], *, keys: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """Every event of a whole byte stream, stopping at [DONE]."""
    decoder = SSEDecoder(keys=keys)
    for chunk in chunks:
        yield from decoder.feed(chunk)
        if decoder.done:
            return
    yield from decoder.finish()
