"""The retry policy's decisions, read from urllib3 responses built in memory."""

from __future__ import annotations

import io
import json

import pytest
from urllib3.exceptions import MaxRetryError
from urllib3.response import HTTPResponse

from vision.api import retry
from vision.api.retry import OpenAIStyleRetry, backoff_delay, deadline_scope


def _response(status, body=b"", headers=None):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return HTTPResponse(
        body=io.BytesIO(body), headers=headers or {}, status=status, preload_content=False
    )


@pytest.mark.parametrize(
    ("status", "body", "headers", "retried"),
    [
        (408, b"", {}, True),
        (409, b"", {}, True),
        (429, {"error": {"type": "rate_limit_exceeded"}}, {}, True),
        (500, b"", {}, True),
        (502, b"", {}, True),
        (503, b"", {}, True),
        (529, b"", {}, True),
        (400, b"", {}, False),
        (401, b"", {}, False),
        (403, b"", {}, False),
        (404, b"", {}, False),
        (413, b"", {}, False),
        (422, b"", {}, False),
        (429, {"error": {"type": "insufficient_quota", "message": "no credit"}}, {}, False),
        (402, b"", {}, False),
        (500, b"", {"x-should-retry": "false"}, False),
        (400, b"", {"x-should-retry": "true"}, True),
        (429, {"error": {"code": "insufficient_quota"}}, {"x-should-retry": "true"}, True),
        (429, b"", {"Retry-After": "61"}, False),
        (429, b"", {"retry-after-ms": "60000"}, True),
        (503, b"", {"Retry-After": "3600"}, False),
    ],
)
def test_which_responses_are_retried(status, body, headers, retried):
    policy = OpenAIStyleRetry()
    response = _response(status, body, headers)
    assert policy.is_retry("POST", status)  # increment decides
    if retried:
        assert policy.increment("POST", "/v1/chat/completions", response=response).attempts == 2
    else:
        with pytest.raises(MaxRetryError):
            policy.increment("POST", "/v1/chat/completions", response=response)


def test_a_refused_429_body_is_still_readable():
    body = json.dumps({"error": {"type": "insufficient_quota"}}).encode()
    response = _response(429, body)
    with pytest.raises(MaxRetryError):
        OpenAIStyleRetry().increment("POST", "/x", response=response)
    assert response.data == body


def test_two_retries_then_stop():
    policy = OpenAIStyleRetry()
    for _ in range(2):
        policy = policy.increment("POST", "/x", response=_response(500))
    assert policy.attempts == 3
    with pytest.raises(MaxRetryError):
        policy.increment("POST", "/x", response=_response(500))


def test_max_retries_zero_never_retries():
    with pytest.raises(MaxRetryError):
        OpenAIStyleRetry(0).increment("POST", "/x", response=_response(503))


def test_post_read_errors_are_retried():
    from urllib3.exceptions import ReadTimeoutError

    error = ReadTimeoutError(None, "/x", "read timed out")  # type: ignore[arg-type]
    assert OpenAIStyleRetry().increment("POST", "/x", error=error).attempts == 2


@pytest.mark.parametrize(
    ("headers", "delay"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "60"}, 60.0),
    ],
)
def test_server_delay_is_used_as_is(headers, delay):
    following = OpenAIStyleRetry().increment("POST", "/x", response=_response(429, b"", headers))
    assert following.planned_delay == delay


def test_cap_is_configurable():
    policy = OpenAIStyleRetry(retry_after_cap_s=5)
    with pytest.raises(MaxRetryError):
        policy.increment("POST", "/x", response=_response(429, b"", {"Retry-After": "6"}))
    assert policy.new().retry_after_cap_s == 5


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Retry-After": "0"},
        {"Retry-After": "-4"},
        {"Retry-After": "Wed, 01 Jan 2020 00:00:00 GMT"},
    ],
)
def test_without_a_usable_server_delay_the_first_wait_is_backoff_not_zero(headers):
    following = OpenAIStyleRetry().increment("POST", "/x", response=_response(503, b"", headers))
    assert 0.375 <= following.planned_delay <= 0.5


@pytest.mark.parametrize(
    ("n", "low", "high"),
    [(0, 0.375, 0.5), (1, 0.75, 1.0), (2, 1.5, 2.0), (4, 6.0, 8.0), (10, 6.0, 8.0)],
)
def test_backoff_curve(n, low, high):
    for _ in range(50):
        assert low <= backoff_delay(n) <= high


def test_sleep_waits_the_planned_delay(monkeypatch):
    waits = []
    monkeypatch.setattr(retry, "sleep", waits.append)
    following = OpenAIStyleRetry().increment(
        "POST", "/x", response=_response(429, b"", {"Retry-After": "2"})
    )
    following.sleep()
    assert waits == [2.0]


def test_no_retry_when_the_wait_would_pass_the_deadline():
    import time

    with deadline_scope(time.monotonic() + 1.0), pytest.raises(MaxRetryError):
        OpenAIStyleRetry().increment(
            "POST", "/x", response=_response(429, b"", {"Retry-After": "5"})
        )
    with deadline_scope(time.monotonic() + 100.0):
        OpenAIStyleRetry().increment(
            "POST", "/x", response=_response(429, b"", {"Retry-After": "5"})
        )
