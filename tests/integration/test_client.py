"""VisionClient against the echo backend over real loopback sockets: answers, faults, retries."""

from __future__ import annotations

import json
import logging
import socket
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.images import make_photo
from vision import prepare_image, retry
from vision.client import VisionClient
from vision.echo import ECHO_MODELS, QUOTA_BODY, TEXT_ONLY_MODEL, EchoServer, Fault
from vision.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ModelCannotSeeImagesError,
    ModelNotAvailableError,
    PaymentRequiredError,
    RateLimitError,
    RequestError,
    ResponseFormatError,
    ServerError,
    StreamError,
)
from vision.payload import ChatRequest, ImageRef
from vision.results import ChatResult
from vision.settings import install_redaction

KEY = "test-key"
LLAMA, QWEN = ECHO_MODELS[0], ECHO_MODELS[1]
SENTINEL = "io-SENTINEL-key-0123456789"


@pytest.fixture
def waits(monkeypatch):
    """The retry waits the client asked for, without waiting them."""
    recorded: list[float] = []
    monkeypatch.setattr(retry, "sleep", recorded.append)
    return recorded


@pytest.fixture
def client(echo):
    with VisionClient(echo.base_url, KEY, timeout=(2.0, 2.0), deadline_s=20.0) as made:
        yield made


def _split(items):
    *deltas, result = items
    assert all(isinstance(delta, str) for delta in deltas)
    assert isinstance(result, ChatResult)
    return deltas, result


def _until_error(stream, received):
    """Collect items into `received` as they come, so they survive the exception."""
    for item in stream:
        received.append(item)
    return []


# Answers


def test_chat_returns_text_usage_and_timing(client, echo):
    result = client.chat(model=QWEN, prompt="What is here?", images=["https://example.com/a.png"])
    assert "echo" in result.text
    assert result.model == QWEN
    assert result.finish_reason == "stop"
    assert result.complete
    assert result.usage.prompt_tokens
    assert result.usage.completion_tokens
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    assert result.latency_s > 0
    assert result.ttft_s is None
    (sent,) = echo.chat_requests
    assert sent.authorized
    assert sent.body["messages"][-1]["content"][1]["image_url"]["url"] == (
        "https://example.com/a.png"
    )


def test_chat_sends_a_prepared_image_as_a_data_url(client, echo):
    image = prepare_image(make_photo((640, 480)), filename="photo.jpg", model=QWEN)
    result = client.chat(model=QWEN, prompt="Describe", images=[image])
    assert "640" in result.text or "JPEG" in result.text.upper()
    url = echo.chat_requests[0].body["messages"][-1]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")


def test_chat_accepts_a_request_value_and_overrides(client, echo):
    request = ChatRequest(model=LLAMA, prompt="first", images=(ImageRef(url="https://e.x/1.png"),))
    client.chat(request, prompt="second", max_tokens=50, temperature=0.2)
    body = echo.chat_requests[0].body
    assert body["model"] == LLAMA
    assert body["max_tokens"] == 50
    assert body["messages"][-1]["content"][0]["text"] == "second"


def test_stream_yields_deltas_then_the_result_with_usage(client, echo):
    deltas, result = _split(list(client.stream(model=LLAMA, prompt="hi")))
    assert len(deltas) > 1
    assert "".join(deltas) == result.text
    assert result.complete
    assert result.incomplete_reason is None
    assert result.finish_reason == "stop"
    assert result.usage.completion_tokens
    assert result.ttft_s is not None
    assert result.ttft_s <= result.latency_s
    assert echo.chat_requests[0].body["stream_options"] == {"include_usage": True}


# Status errors and retries


def test_wrong_key_is_an_authentication_error_not_retried(echo, waits):
    with VisionClient(echo.base_url, "wrong") as client, pytest.raises(AuthenticationError) as err:
        client.chat(model=LLAMA, prompt="hi")
    assert "IOINTELLIGENCE_API_KEY" in str(err.value)
    assert err.value.status == 401
    assert len(echo.chat_requests) == 1
    assert waits == []


def test_429_with_retry_after_is_retried_then_answers(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=429, headers={"Retry-After": "1"}, times=1))
    assert "echo" in client.chat(model=LLAMA, prompt="hi").text
    assert len(echo.chat_requests) == 2
    assert waits == [1.0]


def test_retry_after_ms_is_preferred(client, echo, waits):
    echo.add_fault(
        Fault(
            kind="status",
            status=429,
            headers={"retry-after-ms": "1500", "Retry-After": "7"},
            times=2,
        )
    )
    client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 3
    assert waits == [1.5, 1.5]


def test_429_over_the_cap_is_not_retried_and_says_when(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=429, headers={"Retry-After": "600"}, times=3))
    with pytest.raises(RateLimitError, match="try again in 600 s"):
        client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 1
    assert waits == []


def test_rate_limit_that_persists_is_a_rate_limit_error(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=429, headers={"Retry-After": "2"}, times=3))
    with pytest.raises(RateLimitError, match="try again in 2 s"):
        client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 3
    assert waits == [2.0, 2.0]


def test_quota_429_is_never_retried(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=429, body=QUOTA_BODY, times=3))
    with pytest.raises(PaymentRequiredError, match="quota") as err:
        client.chat(model=LLAMA, prompt="hi")
    assert "exceeded your current quota" in str(err.value)
    assert len(echo.chat_requests) == 1
    assert waits == []


def test_500_three_times_is_a_server_error_after_three_attempts(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=500, times=3))
    with pytest.raises(ServerError, match="500") as err:
        client.chat(model=LLAMA, prompt="hi")
    assert err.value.status == 500
    assert len(echo.chat_requests) == 3
    assert len(waits) == 2
    assert 0.375 <= waits[0] <= 0.5
    assert 0.75 <= waits[1] <= 1.0


def test_503_twice_then_an_answer(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=503, times=2))
    assert client.chat(model=LLAMA, prompt="hi").complete
    assert len(echo.chat_requests) == 3


@pytest.mark.parametrize("status", [400, 403, 404, 413, 422])
def test_client_errors_are_never_retried(client, echo, waits, status):
    echo.add_fault(Fault(kind="status", status=status, times=3))
    with pytest.raises(APIStatusError) as err:
        client.chat(model=LLAMA, prompt="hi")
    assert err.value.status == status
    assert len(echo.chat_requests) == 1
    assert waits == []


def test_x_should_retry_false_stops_a_retry(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=503, headers={"x-should-retry": "false"}, times=3))
    with pytest.raises(ServerError):
        client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 1


def test_x_should_retry_true_retries_a_400(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=400, headers={"x-should-retry": "true"}, times=1))
    client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 2


def test_streams_are_retried_before_any_byte_arrives(client, echo, waits):
    echo.add_fault(Fault(kind="status", status=502, times=1))
    _deltas, result = _split(list(client.stream(model=LLAMA, prompt="hi")))
    assert result.complete
    assert len(echo.chat_requests) == 2


def test_unknown_model_names_the_model_and_the_models_command(client, echo):
    with pytest.raises(ModelNotAvailableError) as err:
        client.chat(model="nobody/NoSuchModel", prompt="hi")
    assert "'nobody/NoSuchModel'" in str(err.value)
    assert "python -m vision models" in str(err.value)
    assert len(echo.chat_requests) == 1


def test_redirect_says_which_address_to_use(client, echo):
    echo.add_fault(
        Fault(kind="status", status=307, headers={"Location": "https://elsewhere/v1"}, times=1)
    )
    with pytest.raises(APIStatusError, match="https://elsewhere/v1"):
        client.chat(model=LLAMA, prompt="hi")


# Network failures and timeouts


def test_hang_past_the_read_timeout_is_a_timeout_after_retries(echo, waits):
    echo.add_fault(Fault(kind="hang", seconds=3, times=3))
    with (
        VisionClient(echo.base_url, KEY, timeout=(1.0, 0.5)) as client,
        pytest.raises(APITimeoutError, match=r"did not answer within 0\.5 s"),
    ):
        client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 3
    assert len(waits) == 2


def test_one_hang_is_retried_into_an_answer(echo, waits):
    echo.add_fault(Fault(kind="hang", seconds=3, times=1))
    with VisionClient(echo.base_url, KEY, timeout=(1.0, 0.5)) as client:
        assert client.chat(model=LLAMA, prompt="hi").complete
    assert len(echo.chat_requests) == 2


def test_the_deadline_stops_retries(echo, waits):
    echo.add_fault(Fault(kind="hang", seconds=3, times=3))
    with (
        VisionClient(echo.base_url, KEY, timeout=(1.0, 0.5), deadline_s=0.8) as client,
        pytest.raises(APITimeoutError),
    ):
        client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) < 3


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_closed_port_is_a_connection_error(waits):
    port = _closed_port()
    with (
        VisionClient(f"http://127.0.0.1:{port}/v1", KEY, timeout=(1.0, 1.0)) as client,
        pytest.raises(APIConnectionError) as err,
    ):
        client.chat(model=LLAMA, prompt="hi")
    assert not isinstance(err.value, APITimeoutError)
    assert str(err.value) == (
        f"Could not reach 127.0.0.1:{port}: check the base URL and your network."
    )
    assert len(waits) == 2  # connection errors are retried like the SDK does


def test_non_json_200_is_a_format_error(client, echo):
    echo.add_fault(Fault(kind="malformed", times=1))
    with pytest.raises(ResponseFormatError, match="not JSON"):
        client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 1


def test_a_200_carrying_only_an_error_is_a_format_error(client, echo):
    echo.add_fault(Fault(kind="stream_error", times=1))
    with pytest.raises(ResponseFormatError, match="error instead of a completion"):
        client.chat(model=LLAMA, prompt="hi")


def test_a_body_cut_short_is_a_connection_error_not_retried(client, echo, waits):
    echo.add_fault(Fault(kind="truncate", times=1))
    with pytest.raises(APIConnectionError, match="broke during the answer"):
        client.chat(model=LLAMA, prompt="hi")
    assert len(echo.chat_requests) == 1


# Streams that go wrong


@pytest.mark.parametrize("abrupt", [False, True])
def test_truncated_stream_keeps_the_text_and_says_incomplete(client, echo, abrupt):
    echo.add_fault(Fault(kind="truncate", after_chunks=3, abrupt=abrupt, times=1))
    deltas, result = _split(list(client.stream(model=LLAMA, prompt="hi")))
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
        deltas, result = _split(list(client.stream(model=LLAMA, prompt="hi")))
    assert deltas
    assert not result.complete
    assert "1 s limit" in (result.incomplete_reason or "")
    assert result.text == "".join(deltas)


def test_a_stream_that_goes_silent_ends_incomplete(echo):
    echo.add_fault(Fault(kind="slow", ttft_s=0.0, token_delay_s=2.0, times=1))
    with VisionClient(echo.base_url, KEY, timeout=(1.0, 0.5), deadline_s=20) as client:
        _deltas, result = _split(list(client.stream(model=LLAMA, prompt="hi")))
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


# Bad input stays a VisionError


@pytest.mark.parametrize(
    "fields",
    [
        {"prompt": "no model"},
        {"model": LLAMA, "images": ["/home/me/photo.jpg"]},
        {"model": LLAMA, "images": ["https://e.x/a.png"] * 11},
        {"model": LLAMA, "colour": "blue"},
    ],
)
def test_bad_request_fields_are_request_errors(client, echo, fields):
    with pytest.raises(RequestError):
        client.chat(**fields)
    assert echo.chat_requests == []


@pytest.mark.parametrize("url", ["", "ftp://h/v1", "api.example.com", "https://user:pw@h/v1"])
def test_bad_base_urls_are_request_errors(url):
    with pytest.raises(RequestError):
        VisionClient(url, KEY)


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
    with VisionClient(f"http://127.0.0.1:{_closed_port()}/v1", SENTINEL) as client:
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
            deltas, result = _split(list(client.stream(model="plain/model", prompt="hi")))
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
