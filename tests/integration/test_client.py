"""VisionClient against the echo backend over real loopback sockets: answers, faults, retries."""

from __future__ import annotations

import pytest

from tests.support.client_calls import KEY, closed_port, split_stream
from tests.support.images import make_photo
from tests.support.models import LLAMA, QWEN
from vision import prepare_image
from vision.api.client import VisionClient
from vision.echo import QUOTA_BODY, Fault
from vision.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ModelNotAvailableError,
    PaymentRequiredError,
    RateLimitError,
    RequestError,
    ResponseFormatError,
    ServerError,
)
from vision.values.request import ChatRequest, ImageRef

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
    _deltas, result = split_stream(list(client.stream(model=LLAMA, prompt="hi")))
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


def test_closed_port_is_a_connection_error(waits):
    port = closed_port()
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
