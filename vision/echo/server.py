"""The echo backend: a local OpenAI-compatible server that describes what it received."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from vision.echo.answer import Reply, chunk_body, completion_body, make_reply
from vision.echo.catalog import ModelsShape, models_body
from vision.echo.contract import ChatCall, Rejected, parse_chat
from vision.echo.faults import STREAM_ERROR_BODY, Fault, FaultBook
from vision.echo.recorder import RecordedRequest, RequestLog, safe_headers

API_PREFIX = "/v1"
CONTROL_PREFIX = "/_echo"
# Ten 20 MiB images as base64 plus the JSON around them; anything bigger is refused unread.
MAX_BODY_BYTES = 320 * 1024 * 1024
# The body a "malformed" fault sends: JSON cut off in the middle.
MALFORMED_BODY = b'{"id": "chatcmpl-echo", "object": "chat.completion", "choices": [{"mess'
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], echo: EchoServer) -> None:
        self.echo = echo
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: a client hanging up mid-answer is normal in fault tests."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vision-echo/1.0"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging (and with it any chance of logging a header)."""

    # Routing

    def do_GET(self) -> None:
        """GET /v1/models and GET /_echo/requests."""
        self._route("GET")

    def do_POST(self) -> None:
        """POST /v1/chat/completions and POST /_echo/faults."""
        self._route("POST")

    def do_DELETE(self) -> None:
        """DELETE /_echo/faults and DELETE /_echo/requests."""
        self._route("DELETE")

    def _route(self, method: str) -> None:
        try:
            path = urlsplit(self.path).path.rstrip("/") or "/"
            raw = self._read_body() if method == "POST" else b""
            if raw is None:
                return
            handler = _ROUTES.get((method, path))
            if handler is not None:
                handler(self, raw)
            elif any(known == path for _, known in _ROUTES):
                self._send_json(405, {"detail": "Method Not Allowed"})
            else:
                self._send_json(404, {"detail": "Not Found"})
        except _DISCONNECTS:
            self.close_connection = True

    def _read_body(self) -> bytes | None:
        length_header = self.headers.get("Content-Length")
        try:
            length = int(length_header) if length_header else 0
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send_json(413, {"detail": "The request body is too large."})
            return None
        return self.rfile.read(length) if length else b""

    # Plain responses

    def _send_bytes(
        self,
        status: int,
        data: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(body).encode(), headers=headers)

    # Shared request steps

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        expected = self.server.echo.api_key.encode()
        return hmac.compare_digest(token.strip().encode(), expected)

    def _record(self, raw: bytes, authorized: bool) -> dict[str, Any] | None:
        body: dict[str, Any] | None = None
        if raw:
            try:
                decoded = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                decoded = None
            body = decoded if isinstance(decoded, dict) else None
        self.server.echo.log.add(
            RecordedRequest(
                method=self.command,
                path=urlsplit(self.path).path,
                body=body,
                authorized=authorized,
                headers=safe_headers(dict(self.headers.items())),
            )
        )
        return body

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; True when the server is still running."""
        if seconds > 0:
            return not self.server.echo.stopping.wait(seconds)
        return not self.server.echo.stopping.is_set()

    def _apply_early_fault(self, fault: Fault | None) -> bool:
        """Apply the faults that act before any answer; True when the response was sent."""
        if fault is None:
            return False
        if fault.kind == "hang" and not self._wait(fault.seconds):
            self.close_connection = True
            return True
        if fault.kind == "status":
            body = fault.default_body()
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            content_type = (
                "text/plain; charset=utf-8" if isinstance(body, str) else "application/json"
            )
            self._send_bytes(fault.status, data, content_type, headers=dict(fault.headers))
            return True
        return False

    # Endpoints

    def _models(self, _raw: bytes) -> None:
        # /models needs no key (api-contract.md §1.5: public clients call it without auth).
        self._record(b"", self._authorized())
        fault = self.server.echo.faults.take("models", None)
        if self._apply_early_fault(fault):
            return
        if fault is not None and fault.kind == "malformed":
            self._send_bytes(200, MALFORMED_BODY)
            return
        query = parse_qs(urlsplit(self.path).query)
        try:
            page = int(query.get("page", ["1"])[0])
            page_size = int(query.get("page_size", ["50"])[0])
        except ValueError:
            page, page_size = 0, 0
        if page < 1 or not 1 <= page_size <= 100:
            self._send_json(
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
        self._send_json(200, models_body(self.server.echo.models_shape, page, page_size))

    def _chat(self, raw: bytes) -> None:
        authorized = self._authorized()
        body = self._record(raw, authorized)
        if not authorized:
            self._send_json(401, {"detail": "Unauthorized"})
            return
        model = body.get("model") if body else None
        echo = self.server.echo
        fault = echo.faults.take("chat", model if isinstance(model, str) else None)
        if self._apply_early_fault(fault):
            return
        try:
            call = parse_chat(raw)
        except Rejected as rejected:
            self._send_json(rejected.status, rejected.body)
            return
        ttft_s, token_delay_s = echo.ttft_s, echo.token_delay_s
        if fault is not None and fault.kind == "slow":
            ttft_s, token_delay_s = fault.ttft_s, fault.token_delay_s
        completion_id = "chatcmpl-echo-" + hashlib.sha256(raw).hexdigest()[:24]
        reply = make_reply(call)
        if call.stream:
            self._stream(call, reply, completion_id, fault, ttft_s, token_delay_s)
        else:
            self._complete(call, reply, completion_id, fault, ttft_s, token_delay_s)

    def _complete(
        self,
        call: ChatCall,
        reply: Reply,
        completion_id: str,
        fault: Fault | None,
        ttft_s: float,
        token_delay_s: float,
    ) -> None:
        if not self._wait(ttft_s + token_delay_s * max(0, len(reply.chunks) - 1)):
            self.close_connection = True
            return
        kind = fault.kind if fault else None
        if kind == "malformed":
            self._send_bytes(200, MALFORMED_BODY)
            return
        if kind == "stream_error":
            assert fault is not None
            self._send_json(200, fault.body if fault.body is not None else STREAM_ERROR_BODY)
            return
        data = json.dumps(completion_body(completion_id, call.model.id, reply)).encode()
        if kind == "truncate":
            # Promise the whole body, send half of it, hang up.
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            return
        self._send_bytes(200, data)

    def _stream(
        self,
        call: ChatCall,
        reply: Reply,
        completion_id: str,
        fault: Fault | None,
        ttft_s: float,
        token_delay_s: float,
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        model, usage_on = call.model.id, call.include_usage

        def event(payload: Any) -> None:
            text = payload if isinstance(payload, str) else json.dumps(payload)
            self._write_chunk(f"data: {text}\n\n".encode())

        event(
            chunk_body(
                completion_id,
                model,
                delta={"role": "assistant", "content": ""},
                include_usage=usage_on,
            )
        )
        kind = fault.kind if fault else None
        cut_at = fault.after_chunks if fault else 0
        for position, piece in enumerate(reply.chunks):
            if kind in ("truncate", "stream_error", "malformed") and position == cut_at:
                if kind == "malformed":
                    event("{this is not json")
                    kind = None
                else:
                    break
            if not self._wait(ttft_s if position == 0 else token_delay_s):
                self.close_connection = True
                return
            event(
                chunk_body(completion_id, model, delta={"content": piece}, include_usage=usage_on)
            )
        else:
            if kind == "malformed":
                event("{this is not json")
            kind = None
        if kind == "stream_error":
            assert fault is not None
            event(fault.body if fault.body is not None else STREAM_ERROR_BODY)
            event("[DONE]")
            self._end_chunks()
            return
        if kind == "truncate":
            assert fault is not None
            self.close_connection = True
            if not fault.abrupt:
                self._end_chunks()
            return
        event(
            chunk_body(
                completion_id,
                model,
                delta={},
                finish_reason=reply.finish_reason,
                include_usage=usage_on,
            )
        )
        if usage_on:
            event(chunk_body(completion_id, model, usage=reply.usage))
        event("[DONE]")
        self._end_chunks()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # Control endpoints for tests running the echo in another process

    def _add_fault(self, raw: bytes) -> None:
        try:
            fault = Fault.from_json(json.loads(raw or b"null"))
        except (ValueError, UnicodeDecodeError) as exc:
            self._send_json(422, {"detail": str(exc)})
            return
        self.server.echo.add_fault(fault)
        self._send_json(201, {"pending": len(self.server.echo.faults.pending())})

    def _clear_faults(self, _raw: bytes) -> None:
        self.server.echo.clear_faults()
        self._send_json(200, {"pending": 0})

    def _list_requests(self, _raw: bytes) -> None:
        self._send_json(200, [record.as_json() for record in self.server.echo.requests])

    def _clear_requests(self, _raw: bytes) -> None:
        self.server.echo.log.clear()
        self._send_json(200, {"requests": 0})


_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", f"{API_PREFIX}/models"): _Handler._models,
    ("POST", f"{API_PREFIX}/chat/completions"): _Handler._chat,
    ("POST", f"{CONTROL_PREFIX}/faults"): _Handler._add_fault,
    ("DELETE", f"{CONTROL_PREFIX}/faults"): _Handler._clear_faults,
    ("GET", f"{CONTROL_PREFIX}/requests"): _Handler._list_requests,
    ("DELETE", f"{CONTROL_PREFIX}/requests"): _Handler._clear_requests,
}


class EchoServer:
    """A local OpenAI-compatible server on loopback that answers with what it received."""

    DEFAULT_API_KEY: ClassVar[str] = "echo-key"

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ttft_s: float = 0.0,
        token_delay_s: float = 0.0,
        models_shape: ModelsShape = "openai",
    ) -> None:
        if models_shape not in ("openai", "io"):
            raise ValueError("models_shape must be 'openai' or 'io'.")
        self.api_key = api_key
        self.host = host
        self.port = port
        self.ttft_s = ttft_s
        self.token_delay_s = token_delay_s
        self.models_shape: ModelsShape = models_shape
        self.faults = FaultBook()
        self.log = RequestLog()
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._server else "not started"
        return f"EchoServer({where})"

    @property
    def base_url(self) -> str:
        """The API base URL to give a client, e.g. http://127.0.0.1:PORT/v1."""
        if self._server is None:
            raise RuntimeError("The echo server is not started; call start() first.")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}{API_PREFIX}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        return self.log.snapshot()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The chat completion requests received so far (retries included)."""
        return [r for r in self.log.snapshot() if r.path.rstrip("/").endswith("/chat/completions")]

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault for the next matching request(s)."""
        self.faults.add(fault)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.faults.clear()

    def start(self) -> EchoServer:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self.stopping.clear()
        server = _Server((self.host, self.port), self)
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name=f"echo-{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any request sleeping in a hang or slow fault."""
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_until_interrupted(self) -> None:
        """Block until Ctrl-C, then stop (for the CLI)."""
        self.start()
        try:
            while not self.stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> EchoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
