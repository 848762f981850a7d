"""Writing the echo's answers: JSON, a chat completion, or an SSE stream, with their faults."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from vision.echo.answer import Reply, chunk_body, completion_body
from vision.echo.contract import ChatCall
from vision.echo.faults import STREAM_ERROR_BODY

# The body a "malformed" fault sends: JSON cut off in the middle.
MALFORMED_BODY = b'{"id": "chatcmpl-echo", "object": "chat.completion", "choices": [{"mess'


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """How one accepted chat request is answered: the reply, its pace and its fault."""

    call: ChatCall
    reply: Reply
    completion_id: str
    fault: str | None
    fault_body: dict[str, Any] | str | None
    after_chunks: int
    abrupt: bool
    ttft_s: float
    token_delay_s: float

    @property
    def error_event(self) -> Any:
        """The error object a stream_error fault sends."""
        return self.fault_body if self.fault_body is not None else STREAM_ERROR_BODY


class Responder(BaseHTTPRequestHandler):
    """The response side of the echo's request handler."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a kept-alive connection waits for
    # the client's delayed ACK (~40 ms on Linux) before the body, on every request after the first.
    disable_nagle_algorithm = True
    server_version = "vision-echo/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging (and with it any chance of logging a header)."""

    def stopping(self) -> threading.Event:
        """Set when the server shuts down; sleeps in faults wake on it."""
        raise NotImplementedError

    def wait(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; True when the server is still running."""
        if seconds > 0:
            return not self.stopping().wait(seconds)
        return not self.stopping().is_set()

    def send_bytes(
        self,
        status: int,
        data: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send a complete response with a Content-Length."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Send a JSON response."""
        self.send_bytes(status, json.dumps(body).encode(), headers=headers)

    def complete(self, plan: Delivery) -> None:
        """Answer a non-streamed request, after the whole generation time has passed."""
        reply = plan.reply
        if not self.wait(plan.ttft_s + plan.token_delay_s * max(0, len(reply.pieces) - 1)):
            self.close_connection = True
            return
        if plan.fault == "malformed":
            self.send_bytes(200, MALFORMED_BODY)
            return
        if plan.fault == "stream_error":
            # A gateway that reports a failure inside a 200: the body has no choices at all.
            self.send_json(200, plan.error_event)
            return
        data = json.dumps(completion_body(plan.completion_id, plan.call.model.id, reply)).encode()
        if plan.fault == "truncate":
            # Promise the whole body, send half of it, hang up.
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            return
        self.send_bytes(200, data)

    def event(self, payload: Any) -> None:
        """Send one SSE `data:` event (a JSON object, or raw text such as [DONE])."""
        text = payload if isinstance(payload, str) else json.dumps(payload)
        self.write_chunk(f"data: {text}\n\n".encode())

    def chunk(self, plan: Delivery, **fields: Any) -> dict[str, Any]:
        """A chat.completion.chunk of this answer."""
        return chunk_body(
            plan.completion_id, plan.call.model.id, include_usage=plan.call.include_usage, **fields
        )

    def pieces(self, plan: Delivery, start: int, stop: int) -> bool:
        """Send pieces start..stop-1 (reasoning, then content) with their delays; False when the
        server stops."""
        pieces = plan.reply.pieces
        for position in range(start, stop):
            if not self.wait(plan.ttft_s if position == 0 else plan.token_delay_s):
                self.close_connection = True
                return False
            field, text = pieces[position]
            self.event(self.chunk(plan, delta={field: text}))
        return True

    def stream(self, plan: Delivery) -> None:
        """Answer as SSE: role, reasoning chunks (a reasoning model's), content chunks, finish,
        optional usage chunk, [DONE]."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        total = len(plan.reply.pieces)
        cut_at = min(plan.after_chunks, total) if plan.fault else total
        self.event(self.chunk(plan, delta={"role": "assistant", "content": ""}))
        if not self.pieces(plan, 0, cut_at):
            return
        if plan.fault == "truncate":
            self.close_connection = True
            if not plan.abrupt:
                self.end_chunks()
            return
        if plan.fault == "stream_error":
            self.event(plan.error_event)
            self.event("[DONE]")
            self.end_chunks()
            return
        if plan.fault == "malformed":
            self.event("{this is not json")
            if not self.pieces(plan, cut_at, total):
                return
        self.event(self.chunk(plan, delta={}, finish_reason=plan.reply.finish_reason))
        if plan.call.include_usage:
            self.event(self.chunk(plan, usage=plan.reply.usage))
        self.event("[DONE]")
        self.end_chunks()

    def write_chunk(self, data: bytes) -> None:
        """Send one HTTP/1.1 chunk right away."""
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_chunks(self) -> None:
        """End the chunked body cleanly."""
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
