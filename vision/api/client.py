"""VisionClient: chat, stream and list models against an OpenAI-compatible API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import requests
from urllib3.exceptions import HTTPError as URLLib3HTTPError

from vision.api.arguments import ensure_sees_images, ensure_takes_effort, make_request
from vision.api.payload import build_payload
from vision.api.responses import (
    parse_completion,
    parse_models,
    status_error,
)
from vision.api.retry import RateLimitListener, deadline_scope
from vision.api.sse import SSEDecoder
from vision.api.stream_state import StreamPiece, StreamState
from vision.api.transport import (
    DeadlineTimeout,
    build_session,
    check_base_url,
    host_of,
    map_request_errors,
    set_read_wait,
)
from vision.errors import (
    APIStatusError,
    APITimeoutError,
    ResponseFormatError,
    StreamError,
)
from vision.redaction import redact, redact_while_held
from vision.values.request import ChatRequest
from vision.values.result import ChatResult, ModelInfo, ReasoningDelta

DEFAULT_TIMEOUT = (5.0, 120.0)
DEFAULT_DEADLINE_S = 300.0
MAX_BODY_BYTES = 32 * 1024 * 1024  # a completion or model list is kilobytes; stop a runaway
MAX_ERROR_BODY_BYTES = 64 * 1024
MAX_MODEL_PAGES = 20
READ_SIZE = 64 * 1024
CUT_SHORT = "the connection closed before the answer finished"
WENT_SILENT = "the server stopped sending before the answer finished"


class VisionClient:
    """A client for one OpenAI-compatible server: chat, stream, list models; safe to share."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        deadline_s: float = DEFAULT_DEADLINE_S,
        max_retries: int = 2,
        session: requests.Session | None = None,
        retry_after_cap_s: float = 60.0,
        on_rate_limited: RateLimitListener | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._api_key = api_key.strip()
        # Mask this key in every log record, whoever logs it, while the client is open
        # (docs/key-redaction.md).
        self._redaction = redact_while_held(self._api_key)
        self.connect_timeout_s, self.read_timeout_s = timeout
        self.deadline_s = deadline_s
        self.max_retries = max_retries
        self._session = build_session(
            self.base_url,
            session=session,
            max_retries=max_retries,
            retry_after_cap_s=retry_after_cap_s,
            on_rate_limited=on_rate_limited,
        )
        self._models: list[ModelInfo] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"VisionClient(base_url={self.base_url!r}, timeout=({self.connect_timeout_s:g}, "
            f"{self.read_timeout_s:g}), deadline_s={self.deadline_s:g}, "
            f"max_retries={self.max_retries})"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections; the key is no longer masked on this client's behalf."""
        self._session.close()
        self._redaction.release()

    @property
    def host(self) -> str:
        """host[:port] of the server, for messages."""
        return host_of(self.base_url)

    # Requests

    def _headers(self, *, stream: bool = False) -> dict[str, str]:
        headers = {
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": "vision-playground/0.1",
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _send(
        self,
        method: str,
        path: str,
        deadline: float,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        model: str | None = None,
    ) -> requests.Response:
        """One call (retries included) that returns a 2xx response with its body unread."""
        timeout = DeadlineTimeout(self.connect_timeout_s, self.read_timeout_s, deadline)
        with self._errors(deadline), deadline_scope(deadline):
            response = self._session.request(
                method,
                self.base_url + path,
                json=body,
                params=params,
                headers=self._headers(stream=bool(body and body.get("stream"))),
                timeout=timeout,  # type: ignore[arg-type]  # requests passes urllib3 Timeouts on
                stream=True,
                allow_redirects=False,
            )
            if response.status_code >= 300:
                try:
                    raise self._status_error(response, model) from None
                finally:
                    response.close()
        return response

    def _errors(self, deadline: float) -> Any:
        return map_request_errors(
            self.base_url,
            connect_s=self.connect_timeout_s,
            read_s=self.read_timeout_s,
            deadline=deadline,
            deadline_s=self.deadline_s,
        )

    def _status_error(self, response: requests.Response, model: str | None) -> APIStatusError:
        status = response.status_code
        if status < 400:
            location = response.headers.get("Location", "another address")
            return APIStatusError(
                f"The server redirected the request ({status}) to {location[:100]}: use that "
                "address as the base URL.",
                status=status,
            )
        return status_error(
            status, _error_body(response), response.headers, model=model, keys=self._keys
        )

    @property
    def _keys(self) -> tuple[str, ...]:
        return (self._api_key,) if self._api_key else ()

    def _read_json(self, response: requests.Response, deadline: float) -> Any:
        chunks: list[bytes] = []
        size = 0
        with self._errors(deadline):
            for chunk in response.iter_content(READ_SIZE):
                if time.monotonic() > deadline:
                    raise APITimeoutError(
                        f"The answer did not arrive within the overall {self.deadline_s:g} s "
                        "limit: try again later, or allow more time."
                    )
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise ResponseFormatError(
                        "The server's answer is far larger than any chat completion: check the "
                        "base URL."
                    )
        data = b"".join(chunks)
        try:
            return json.loads(data)
        except ValueError:
            # Redacted before clipping, so a key cut at the 60th character is still masked.
            shown = redact(data[:4096].decode("utf-8", "replace"), self._keys)[:60]
            raise ResponseFormatError(
                f"The server's answer is not JSON (it starts {shown!r}): check that the base URL "
                "points at an OpenAI-compatible API."
            ) from None

    # Public API

    def list_models(self) -> list[ModelInfo]:
        """The server's models (both /models shapes), with a flag for image input when known."""
        deadline = time.monotonic() + self.deadline_s
        models: list[ModelInfo] = []
        params: dict[str, Any] | None = None
        for _ in range(MAX_MODEL_PAGES):
            response = self._send("GET", "/models", deadline, params=params)
            try:
                body = self._read_json(response, deadline)
            finally:
                response.close()
            models.extend(parse_models(body))
            pagination = body.get("pagination") if isinstance(body, Mapping) else None
            if not isinstance(pagination, Mapping) or not pagination.get("has_next"):
                break
            page = pagination.get("page")
            size = pagination.get("page_size")
            if not isinstance(page, int) or not isinstance(size, int):
                break
            params = {"page": page + 1, "page_size": size}
        unique = list({info.id: info for info in reversed(models)}.values())[::-1]
        with self._lock:
            self._models = unique
        return unique

    def _prepare(self, request: ChatRequest | None, fields: Mapping[str, Any]) -> ChatRequest:
        chat = make_request(request, fields)
        with self._lock:
            known = self._models
        if known is not None:
            ensure_sees_images(known, chat.model, len(chat.images))
        ensure_takes_effort(known or (), chat.model, chat.reasoning_effort)
        return chat

    def chat(self, request: ChatRequest | None = None, **fields: Any) -> ChatResult:
        """Ask one model and wait for the whole answer."""
        chat = self._prepare(request, fields)
        payload = build_payload(chat)
        started = time.perf_counter()
        deadline = time.monotonic() + self.deadline_s
        response = self._send("POST", "/chat/completions", deadline, body=payload, model=chat.model)
        try:
            body = self._read_json(response, deadline)
        finally:
            response.close()
        parsed = parse_completion(body, requested_model=chat.model, keys=self._keys)
        return ChatResult(
            text=parsed.text,
            model=parsed.model,
            finish_reason=parsed.finish_reason,
            usage=parsed.usage,
            latency_s=time.perf_counter() - started,
            ttft_s=None,  # not observable without streaming
            reasoning=parsed.reasoning,
            raw=body,
        )

    def stream(
        self, request: ChatRequest | None = None, **fields: Any
    ) -> Iterator[StreamPiece | ChatResult]:
        """Ask one model; yields the answer's text as it arrives (a reasoning model's thinking
        as ReasoningDelta pieces, apart), then the ChatResult (complete or not)."""
        chat = self._prepare(request, fields)
        payload = build_payload(chat, stream=True)
        return self._stream(chat, payload)

    def _stream(
        self, chat: ChatRequest, payload: dict[str, Any]
    ) -> Iterator[StreamPiece | ChatResult]:
        started = time.perf_counter()
        deadline = time.monotonic() + self.deadline_s
        response = self._send("POST", "/chat/completions", deadline, body=payload, model=chat.model)
        state = StreamState(model=chat.model)
        try:
            if "json" in response.headers.get("Content-Type", ""):
                # The server ignored stream=true and sent the whole completion at once.
                parsed = parse_completion(
                    self._read_json(response, deadline), requested_model=chat.model, keys=self._keys
                )
                if parsed.reasoning:
                    yield ReasoningDelta(parsed.reasoning)
                if parsed.text:
                    yield parsed.text
                elapsed = time.perf_counter() - started
                yield ChatResult(
                    text=parsed.text,
                    model=parsed.model,
                    finish_reason=parsed.finish_reason,
                    usage=parsed.usage,
                    latency_s=elapsed,
                    ttft_s=elapsed,
                    reasoning=parsed.reasoning,
                    answer_ttft_s=elapsed,
                )
                return
            decoder = SSEDecoder(keys=self._keys)
            cut: str | None = None
            try:
                for chunk in self._body_chunks(response, deadline):
                    for event in decoder.feed(chunk):
                        yield from state.take(event, started)
                    if decoder.done:
                        break
                else:
                    for event in decoder.finish():
                        yield from state.take(event, started)
            except StreamError as error:
                error.partial_text = "".join(state.text)
                raise error from None
            except _StreamCut as stop:
                cut = stop.reason
            yield self._result(state, started, done=decoder.done, cut=cut or CUT_SHORT)
        finally:
            response.close()

    def _body_chunks(self, response: requests.Response, deadline: float) -> Iterator[bytes]:
        """The body's bytes as they arrive; _StreamCut when it breaks, stalls or runs late."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _StreamCut(f"the answer ran past the {self.deadline_s:g} s limit")
            set_read_wait(response, min(self.read_timeout_s, remaining))
            try:
                data = response.raw.read1(READ_SIZE, decode_content=True)
            except (URLLib3HTTPError, requests.RequestException, OSError) as exc:
                if time.monotonic() >= deadline - 0.05:
                    raise _StreamCut(
                        f"the answer ran past the {self.deadline_s:g} s limit"
                    ) from None
                timed_out = "timeout" in type(exc).__name__.lower() or "timed out" in str(exc)
                raise _StreamCut(WENT_SILENT if timed_out else CUT_SHORT) from None
            if not data:
                return
            yield data

    def _result(
        self, state: StreamState, started: float, *, done: bool, cut: str | None
    ) -> ChatResult:
        complete = done or state.finish_reason is not None
        return ChatResult(
            text="".join(state.text),
            model=state.model,
            finish_reason=state.finish_reason,
            usage=state.usage,
            latency_s=time.perf_counter() - started,
            ttft_s=state.ttft_s,
            complete=complete,
            incomplete_reason=None if complete else cut,
            reasoning="".join(state.reasoning) or None,
            answer_ttft_s=state.answer_ttft_s,
        )


class _StreamCut(Exception):
    """The streamed body ended early; the reason says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _error_body(response: requests.Response) -> str:
    """An error response's body, small and decoded; the retry policy may have read it already."""
    raw = response.raw
    try:
        data = raw.read(MAX_ERROR_BODY_BYTES, decode_content=True) or raw.data or b""
    except (URLLib3HTTPError, requests.RequestException, OSError):
        return ""
    return data[:MAX_ERROR_BODY_BYTES].decode("utf-8", "replace")
