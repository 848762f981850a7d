"""Routing and request handling of the echo backend: auth, faults, validation, control."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from vision.echo.answer import make_reply
from vision.echo.catalog import models_body
from vision.echo.contract import parse_chat
from vision.echo.faults import Fault
from vision.echo.pace import EchoPace, read_pace
from vision.echo.recorder import MAX_RECORDED_MODEL_CHARS, RecordedRequest, safe_headers
from vision.echo.rejection import Rejected
from vision.echo.responder import MALFORMED_BODY, Delivery, Responder
from vision.errors import EchoPaceError

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from vision.echo.state import EchoState

    class _EchoHTTPServer(ThreadingHTTPServer):
        echo: EchoState


API_PREFIX = "/v1"
CONTROL_PREFIX = "/_echo"
# Ten 20 MiB images as base64 plus the JSON around them; anything bigger is refused unread.
MAX_BODY_BYTES = 320 * 1024 * 1024
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class EchoHandler(Responder):
    """One connection to the echo backend."""

    server: _EchoHTTPServer
    # The record of the request being answered, until its status is known.
    _pending: RecordedRequest | None = None
    # The pace this request's URL asked for (None: the echo's own).
    _pace: EchoPace | None = None

    def stopping(self) -> threading.Event:
        """The echo server's stop signal."""
        return self.server.echo.stopping

    def send_response(self, code: int, message: str | None = None) -> None:
        """Start the response, noting its status in the request's record first."""
        record, self._pending = self._pending, None
        if record is not None:
            self.server.echo.log.settle(record, code)
        super().send_response(code, message)

    # Routing

    def do_GET(self) -> None:
        """GET /v1/models and GET /_echo/requests (with the key)."""
        self._route("GET")

    def do_POST(self) -> None:
        """POST /v1/chat/completions and POST /_echo/faults (with the key)."""
        self._route("POST")

    def do_DELETE(self) -> None:
        """DELETE /_echo/faults and DELETE /_echo/requests (with the key)."""
        self._route("DELETE")

    def _route(self, method: str) -> None:
        self._pending = None
        try:
            if not self.server.echo.answers_host(self.headers.get("Host")):
                self._refuse_host()
                return
            raw = self._read_body() if method == "POST" else b""
            if raw is None:
                return
            try:
                self._pace, path = read_pace(urlsplit(self.path).path)
            except EchoPaceError as exc:
                self.send_json(400, {"detail": str(exc)})
                return
            path = path.rstrip("/") or "/"
            handler = _ROUTES.get((method, path))
            if handler is not None and path.startswith(CONTROL_PREFIX) and not self._authorized():
                self.send_json(401, {"detail": "Unauthorized"})
            elif handler is not None:
                handler(self, raw)
            elif any(known == path for _, known in _ROUTES):
                self.send_json(405, {"detail": "Method Not Allowed"})
            else:
                self.send_json(404, {"detail": "Not Found"})
        except _DISCONNECTS:
            self.close_connection = True

    def _refuse_host(self) -> None:
        # The body is left unread, so the connection cannot carry another request.
        self.close_connection = True
        self.send_json(
            403,
            {
                "detail": "This echo backend answers only requests addressed to "
                + ", ".join(sorted(self.server.echo.allowed_hosts))
                + "; use one of those in the URL."
            },
        )

    def _read_body(self) -> bytes | None:
        length_header = self.headers.get("Content-Length")
        try:
            length = int(length_header) if length_header else 0
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self.send_json(413, {"detail": "The request body is too large."})
            return None
        return self.rfile.read(length) if length else b""

    # Shared request steps

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        expected = self.server.echo.api_key.encode()
        return hmac.compare_digest(token.strip().encode(), expected)

    def _record(self, raw: bytes, authorized: bool) -> dict[str, Any] | None:
        """Record the request (its body only on an echo that records bodies); the parsed body."""
        body: dict[str, Any] | None = None
        if raw:
            try:
                decoded = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                decoded = None
            body = decoded if isinstance(decoded, dict) else None
        echo = self.server.echo
        model = body.get("model") if body else None
        record = RecordedRequest(
            method=self.command,
            path=urlsplit(self.path).path,
            authorized=authorized,
            model=model[:MAX_RECORDED_MODEL_CHARS] if isinstance(model, str) else None,
            received_at=time.time(),
            size_bytes=len(raw),
            body=body if echo.record_bodies else None,
            headers=safe_headers(dict(self.headers.items())) if echo.record_bodies else {},
        )
        echo.log.add(record)
        self._pending = record
        return body

    def _apply_early_fault(self, fault: Fault | None) -> bool:
        """Apply the faults that act before any answer; True when the response was sent."""
        if fault is None:
            return False
        if fault.kind == "hang" and not self.wait(fault.seconds):
            self.close_connection = True
            return True
        if fault.kind == "status":
            body = fault.default_body()
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            content_type = (
                "text/plain; charset=utf-8" if isinstance(body, str) else "application/json"
            )
            self.send_bytes(fault.status, data, content_type, headers=dict(fault.headers))
            return True
        return False

    # Endpoints

    def _models(self, _raw: bytes) -> None:
        # /models needs no key (docs/provider-api.md: public clients call it without auth).
        self._record(b"", self._authorized())
        fault = self.server.echo.faults.take("models", None)
        if self._apply_early_fault(fault):
            return
        if fault is not None and fault.kind == "malformed":
            self.send_bytes(200, MALFORMED_BODY)
            return
        query = parse_qs(urlsplit(self.path).query)
        try:
            page = int(query.get("page", ["1"])[0])
            page_size = int(query.get("page_size", ["50"])[0])
        except ValueError:
            page, page_size = 0, 0
        if page < 1 or not 1 <= page_size <= 100:
            self.send_json(
                422,
                {
                    "detail": [
                        {
                            "type": "value_error",
                            "loc": ["query", "page_size" if page >= 1 else "page"],
                            "msg": "page must be at least 1 and page_size between 1 and 100",
                        }
                    ]
                },
            )
            return
        self.send_json(200, models_body(self.server.echo.models_shape, page, page_size))

    def _chat(self, raw: bytes) -> None:
        authorized = self._authorized()
        body = self._record(raw, authorized)
        if not authorized:
            self.send_json(401, {"detail": "Unauthorized"})
            return
        model = body.get("model") if body else None
        echo = self.server.echo
        fault = echo.faults.take("chat", model if isinstance(model, str) else None)
        if self._apply_early_fault(fault):
            return
        try:
            call = parse_chat(raw)
        except Rejected as rejected:
            self.send_json(rejected.status, rejected.body)
            return
        slow = fault is not None and fault.kind == "slow"
        ttft_s, token_delay_s = echo.ttft_s, echo.token_delay_s
        if self._pace is not None:
            ttft_s, token_delay_s = self._pace.ttft_s, self._pace.token_delay_s
        delivery = Delivery(
            call=call,
            reply=make_reply(call),
            completion_id="chatcmpl-echo-" + hashlib.sha256(raw).hexdigest()[:24],
            fault=fault.kind if fault is not None and not slow else None,
            fault_body=fault.body if fault is not None else None,
            after_chunks=fault.after_chunks if fault is not None else 0,
            abrupt=fault.abrupt if fault is not None else False,
            ttft_s=fault.ttft_s if fault is not None and slow else ttft_s,
            token_delay_s=fault.token_delay_s if fault is not None and slow else token_delay_s,
        )
        if call.stream:
            self.stream(delivery)
        else:
            self.complete(delivery)

    # Control endpoints for tests running the echo in another process (the key is required)

    def _add_fault(self, raw: bytes) -> None:
        try:
            fault = Fault.from_json(json.loads(raw or b"null"))
        except (ValueError, UnicodeDecodeError) as exc:
            self.send_json(422, {"detail": str(exc)})
            return
        self.server.echo.add_fault(fault)
        self.send_json(201, {"pending": len(self.server.echo.faults.pending())})

    def _clear_faults(self, _raw: bytes) -> None:
        self.server.echo.clear_faults()
        self.send_json(200, {"pending": 0})

    def _list_requests(self, _raw: bytes) -> None:
        self.send_json(200, [record.as_json() for record in self.server.echo.requests])

    def _clear_requests(self, _raw: bytes) -> None:
        self.server.echo.log.clear()
        self.send_json(200, {"requests": 0})


_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", f"{API_PREFIX}/models"): EchoHandler._models,
    ("POST", f"{API_PREFIX}/chat/completions"): EchoHandler._chat,
    ("POST", f"{CONTROL_PREFIX}/faults"): EchoHandler._add_fault,
    ("DELETE", f"{CONTROL_PREFIX}/faults"): EchoHandler._clear_faults,
    ("GET", f"{CONTROL_PREFIX}/requests"): EchoHandler._list_requests,
    ("DELETE", f"{CONTROL_PREFIX}/requests"): EchoHandler._clear_requests,
}
