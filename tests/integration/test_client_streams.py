"""VisionClient streams over loopback sockets, the model list, and the key kept out of sight."""

from __future__ import annotations

import json
import logging
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.client_calls import KEY, SENTINEL, closed_port, split_stream
from tests.support.models import LLAMA, QWEN
from vision.api.client import VisionClient
from vision.echo import ECHO_MODELS, TEXT_ONLY_MODEL, EchoServer, Fault
from vision.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ModelCannotSeeImagesError,
    ResponseFormatError,
    ServerError,
    StreamError,
)
from vision.redaction import install_redaction


def _until_error(stream, received):
    """Collect items into `received` as they come, so they survive the exception."""
    for item in stream:
        received.append(item)
    return []


# Streams that answer


def test_stream_yields_deltas_then_the_result_with_usage(client, echo):
    deltas, result = split_stream(list(client.stream(model=LLAMA, prompt="hi")))
    assert len(deltas) > 1
    assert "".join(deltas) == result.text
    assert result.complete
    assert result.incomplete_reason is None
    assert result.finish_reason == "stop"
    assert result.usage.completion_tokens
    assert result.ttft_s is not None
    assert result.ttft_s <= result.latency_s
    assert echo.chat_requests[0].body["stream_options"] == {"include_usage": True}


# Streams that go wrong


@pytest.mark.parametrize("abrupt", [False, True])
def test_truncated_stream_keeps_the_text_and_says_incomplete(client, echo, abrupt):
    echo.add_fault(Fault(kind="truncate", after_chunks=3, abrupt=abrupt, times=1))
    deltas, result = split_stream(list(client.stream(model=LLAMA, prompt="hi")))
    assert len(deltas) == 3
    assert result.text == "".join(deltas)
    assert not result.complete
    assert result.incomplete_reason == "the connection closed before the answer finished"
    assert result.finish_reason is None
    assert len(echo.chat_requests) == 1  # never retried once bytes arrived


def test_mid_stream_error_raises_with_the_partial_text(client, echo):
    echo.add_fault(Fault(kind="stream_error", after_chunks=2, times=1))
    received: list[object] = []
    with pytest.raises(StreamError) as err:
        received.extend(_until_error(client.stream(model=LLAMA, prompt="hi"), received))
    assert len(received) == 2
    assert err.value.partial_text == "".join(received)
    assert "asked to fail" in str(err.value)
    assert err.value.__cause__ is None


def test_malformed_stream_data_is_a_format_error(client, echo):
    echo.add_fault(Fault(kind="malformed", after_chunks=1, times=1))
    with pytest.raises(ResponseFormatError):
        list(client.stream(model=LLAMA, prompt="hi"))


def test_the_deadline_ends_a_slow_stream_as_incomplete(echo):
    echo.add_fault(Fault(kind="slow", ttft_s=0.0, token_delay_s=0.3, times=1))
    with VisionClient(echo.base_url, KEY, timeout=(1.0, 5.0), deadline_s=1.0) as client:
        deltas, result = split_stream(list(client.stream(model=LLAMA, prompt="hi")))
    assert deltas
    assert not result.complete
    assert "1 s limit" in (result.incomplete_reason or "")
    assert result.text == "".join(deltas)


def test_a_stream_that_goes_silent_ends_incomplete(echo):
    echo.add_fault(Fault(kind="slow", ttft_s=0.0, token_delay_s=2.0, times=1))
    with VisionClient(echo.base_url, KEY, timeout=(1.0, 0.5), deadline_s=20) as client:
        _deltas, result = split_stream(list(client.stream(model=LLAMA, prompt="hi")))
    assert not result.complete
    assert result.incomplete_reason == "the server stopped sending before the answer finished"


# Models


@pytest.mark.parametrize("shape", ["openai", "io"])
def test_list_models_in_both_shapes(shape):
    with (
        EchoServer(api_key=KEY, models_shape=shape) as echo,
        VisionClient(echo.base_url, KEY) as client,
    ):
        models = {info.id: info for info in client.list_models()}
    assert set(models) == {*ECHO_MODELS, TEXT_ONLY_MODEL}
    assert models[QWEN].supports_images is True
    assert models[TEXT_ONLY_MODEL].supports_images is False
    assert models[QWEN].context_window


def test_images_to_a_listed_text_only_model_are_refused_before_sending(client, echo):
    client.list_models()
    with pytest.raises(ModelCannotSeeImagesError, match=TEXT_ONLY_MODEL):
        client.chat(model=TEXT_ONLY_MODEL, prompt="hi", images=["https://e.x/a.png"])
    assert echo.chat_requests == []
    assert client.chat(model=TEXT_ONLY_MODEL, prompt="just text").complete


# The key never leaks


def test_the_key_never_appears_in_repr_errors_or_logs(caplog, waits):
    install_redaction(SENTINEL)
    echoed = {"detail": f"Invalid key {SENTINEL}; header was Authorization: Bearer {SENTINEL}"}
    caught: list[BaseException] = []
    with caplog.at_level(logging.DEBUG), EchoServer(api_key=SENTINEL) as echo:
        echo.add_fault(Fault(kind="status", status=401, body=echoed, times=1))
        echo.add_fault(Fault(kind="status", status=400, body=echoed, times=1))
        echo.add_fault(Fault(kind="status", status=500, body=echoed, times=3))
        stream_body = {"error": {"message": echoed["detail"], "code": 401}}
        echo.add_fault(Fault(kind="stream_error", body=stream_body, after_chunks=1, times=1))
        with VisionClient(echo.base_url, SENTINEL) as client:
            assert SENTINEL not in repr(client)
            for _ in range(3):
                with pytest.raises(APIStatusError) as err:
                    client.chat(model=LLAMA, prompt="hi")
                caught.append(err.value)
            with pytest.raises(StreamError) as streamed:
                list(client.stream(model=LLAMA, prompt="hi"))
            caught.append(streamed.value)
    with VisionClient(f"http://127.0.0.1:{closed_port()}/v1", SENTINEL) as client:
        with pytest.raises(APIConnectionError) as err:
            client.chat(model=LLAMA, prompt="hi")
        caught.append(err.value)
    assert {type(error) for error in caught} >= {AuthenticationError, BadRequestError, ServerError}
    for error in caught:
        assert SENTINEL not in str(error)
        assert SENTINEL not in "".join(traceback.format_exception(error))
    assert caplog.records
    assert SENTINEL not in caplog.text
    assert all(SENTINEL not in record.getMessage() for record in caplog.records)


# A server that ignores stream=true (a tiny stdlib server, not the echo)


class _JSONOnly(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps(
            {
                "model": "plain/model",
                "choices": [{"message": {"content": "whole answer"}, "finish_reason": "stop"}],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_stream_accepts_a_server_that_answers_all_at_once():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JSONOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/v1"
        with VisionClient(base, KEY) as client:
            deltas, result = split_stream(list(client.stream(model="plain/model", prompt="hi")))
    finally:
        server.shutdown()
        server.server_close()
    assert deltas == ["whole answer"]
    assert result.complete
    assert result.usage.total_tokens is None


def test_the_key_stays_out_of_errors_from_200_answers_that_are_no_completion():
    echoed = {"error": {"message": f"Invalid key {SENTINEL}", "code": 401}}
    with EchoServer(api_key=SENTINEL) as echo:
        echo.add_fault(Fault(kind="status", status=200, body=echoed, times=1))
        echo.add_fault(Fault(kind="status", status=200, body=f"key={SENTINEL} rejected", times=1))
        with VisionClient(echo.base_url, SENTINEL) as client:
            caught = []
            for _ in range(2):
                with pytest.raises(ResponseFormatError) as err:
                    client.chat(model=LLAMA, prompt="hi")
                caught.append(err.value)
    assert "Invalid key" in str(caught[0])
    assert "key=" in str(caught[1])
    for error in caught:
        assert SENTINEL not in str(error)
