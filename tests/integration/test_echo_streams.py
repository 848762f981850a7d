"""The echo backend's streams and injected faults, and how the server itself behaves."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import requests

from tests.support.echo_requests import (
    AUTH,
    png_url,
    post,
    seed_body,
    sse_events,
    stream_body,
)
from tests.support.models import LLAMA, QWEN
from vision.echo import (
    ECHO_MODELS,
    QUOTA_BODY,
    EchoServer,
    Fault,
)

# Streaming


def test_stream_framing_role_content_finish_usage_done(echo: EchoServer) -> None:
    response = post(echo, stream_body(png_url()), stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    payloads = sse_events(response)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    content = [c for c in chunks if c["choices"] and "content" in c["choices"][0]["delta"]]
    finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finish) == 1
    assert finish[0]["choices"][0]["finish_reason"] == "stop"
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert all(c["usage"] is None for c in chunks[:-1])
    text = "".join(c["choices"][0]["delta"]["content"] for c in content)
    whole = post(echo, seed_body(QWEN, png_url())).json()
    assert text == whole["choices"][0]["message"]["content"]
    assert usage_chunk["usage"] == whole["usage"]
    # One word per content chunk after the empty role delta.
    assert len(content) - 1 == usage_chunk["usage"]["completion_tokens"]


def test_stream_without_include_usage_has_no_usage_chunk(echo: EchoServer) -> None:
    payloads = sse_events(post(echo, seed_body(QWEN, png_url(), stream=True), stream=True))
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert all("usage" not in c for c in chunks)
    assert all(c["choices"] for c in chunks)
    assert payloads[-1] == "[DONE]"


def test_max_tokens_cuts_the_answer_with_finish_reason_length(echo: EchoServer) -> None:
    body = post(echo, seed_body(QWEN, png_url(), max_tokens=3)).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["choices"][0]["message"]["content"] == "[echo backend — "
    assert body["usage"]["completion_tokens"] == 3
    payloads = sse_events(post(echo, stream_body(png_url(), max_tokens=3), stream=True))
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["usage"]["completion_tokens"] == 3


def test_max_tokens_larger_than_the_answer_changes_nothing(echo: EchoServer) -> None:
    body = post(echo, seed_body(QWEN, png_url(), max_tokens=500)).json()
    assert body["choices"][0]["finish_reason"] == "stop"


# Faults


def test_status_fault_429_with_retry_after_then_recovers(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=429, headers={"Retry-After": "1"}))
    first = post(echo, seed_body(QWEN, png_url()))
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1"
    assert first.json()["error"]["type"] == "rate_limit_error"
    assert post(echo, seed_body(QWEN, png_url())).status_code == 200


def test_status_fault_times_counts_uses(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=503, headers={"retry-after-ms": "10"}, times=2))
    statuses = [post(echo, seed_body(QWEN)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert len(echo.chat_requests) == 3


def test_status_fault_with_a_quota_body_and_a_raw_text_body(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=429, body=QUOTA_BODY))
    echo.add_fault(Fault(kind="status", status=502, body="<html>Bad Gateway</html>"))
    quota = post(echo, seed_body(QWEN))
    assert quota.json()["error"]["code"] == "insufficient_quota"
    gateway = post(echo, seed_body(QWEN))
    assert gateway.status_code == 502
    assert gateway.text == "<html>Bad Gateway</html>"


def test_a_fault_can_target_one_model(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500, model=LLAMA))
    assert post(echo, seed_body(QWEN)).status_code == 200
    assert post(echo, seed_body(LLAMA)).status_code == 500
    assert post(echo, seed_body(LLAMA)).status_code == 200


def test_faults_do_not_hit_models_unless_asked(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500, endpoint="models"))
    assert post(echo, seed_body(QWEN)).status_code == 200
    assert requests.get(f"{echo.base_url}/models", timeout=10).status_code == 500


def test_unauthorized_requests_do_not_use_up_faults(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500))
    assert post(echo, seed_body(QWEN), headers={}).status_code == 401
    assert post(echo, seed_body(QWEN)).status_code == 500


def test_clear_faults(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500, times=None))
    assert post(echo, seed_body(QWEN)).status_code == 500
    assert post(echo, seed_body(QWEN)).status_code == 500
    echo.clear_faults()
    assert post(echo, seed_body(QWEN)).status_code == 200


def test_hang_outlasts_a_client_read_timeout(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="hang", seconds=30))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(echo, seed_body(QWEN), timeout=(5, 0.3))
    # The hang was one use: the next request is answered.
    assert post(echo, seed_body(QWEN)).status_code == 200


def test_truncated_stream_ends_without_finish_or_done(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="truncate", after_chunks=2))
    payloads = sse_events(post(echo, stream_body(png_url()), stream=True))
    chunks = [json.loads(p) for p in payloads]
    assert "[DONE]" not in payloads
    assert len(chunks) == 3  # the role delta and two words
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks)


def test_abrupt_truncation_breaks_the_connection(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="truncate", after_chunks=2, abrupt=True))
    response = post(echo, stream_body(png_url()), stream=True)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        list(response.iter_content(chunk_size=None))


def test_truncated_plain_answer_is_an_incomplete_body(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="truncate"))
    with pytest.raises(requests.exceptions.RequestException):
        post(echo, seed_body(QWEN, png_url())).json()


def test_malformed_answer_is_not_json(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="malformed"))
    response = post(echo, seed_body(QWEN, png_url()))
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_malformed_stream_has_one_bad_data_line(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="malformed", after_chunks=1))
    payloads = sse_events(post(echo, stream_body(png_url()), stream=True))
    assert payloads[2] == "{this is not json"
    assert payloads[-1] == "[DONE]"
    for payload in payloads[:2] + payloads[3:-1]:
        json.loads(payload)


def test_stream_error_event_after_some_chunks(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="stream_error", after_chunks=2))
    payloads = sse_events(post(echo, stream_body(png_url()), stream=True))
    assert payloads[-1] == "[DONE]"
    error = json.loads(payloads[-2])
    assert error["error"]["message"]
    assert len(payloads) == 5  # role, two words, the error, [DONE]


def test_stream_error_on_a_plain_request_is_an_error_body_with_status_200(
    echo: EchoServer,
) -> None:
    echo.add_fault(Fault(kind="stream_error", body={"error": {"message": "boom", "code": 500}}))
    response = post(echo, seed_body(QWEN, png_url()))
    assert response.status_code == 200
    assert response.json() == {"error": {"message": "boom", "code": 500}}


def test_slow_fault_delays_the_first_token(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="slow", ttft_s=0.3, token_delay_s=0.0))
    started = time.monotonic()
    response = post(echo, stream_body(png_url()), stream=True)
    payloads = sse_events(response)
    assert time.monotonic() - started >= 0.3
    assert payloads[-1] == "[DONE]"


def test_faults_over_http_for_an_echo_in_another_process(echo: EchoServer) -> None:
    control = echo.base_url.replace("/v1", "/_echo")
    added = requests.post(
        f"{control}/faults",
        json={"kind": "status", "status": 429, "headers": {"Retry-After": "2"}, "times": 1},
        headers=AUTH,
        timeout=10,
    )
    assert added.status_code == 201
    assert post(echo, seed_body(QWEN)).headers["Retry-After"] == "2"
    requests.post(
        f"{control}/faults", json={"kind": "status", "times": None}, headers=AUTH, timeout=10
    )
    assert requests.delete(f"{control}/faults", headers=AUTH, timeout=10).status_code == 200
    assert post(echo, seed_body(QWEN)).status_code == 200
    records = requests.get(f"{control}/requests", headers=AUTH, timeout=10).json()
    assert [r["path"] for r in records] == ["/v1/chat/completions"] * 2
    assert all(r["authorized"] for r in records)


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "explode"},
        {"kind": "status", "colour": "red"},
        [1, 2],
        {"kind": "hang", "times": 0},
    ],
)
def test_invalid_faults_over_http_are_422(echo: EchoServer, payload: Any) -> None:
    control = echo.base_url.replace("/v1", "/_echo")
    response = requests.post(f"{control}/faults", json=payload, headers=AUTH, timeout=10)
    assert response.status_code == 422


# Server behaviour


def test_unknown_paths_and_methods(echo: EchoServer) -> None:
    assert requests.get(f"{echo.base_url}/embeddings", timeout=10).status_code == 404
    response = requests.get(f"{echo.base_url}/chat/completions", headers=AUTH, timeout=10)
    assert response.status_code == 405


def test_binds_loopback_by_default(echo: EchoServer) -> None:
    assert echo.base_url.startswith("http://127.0.0.1:")
    assert echo.base_url.endswith("/v1")


def test_concurrent_requests_are_all_answered(echo: EchoServer) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def ask(model: str) -> None:
        status = post(echo, stream_body(png_url(), model=model), stream=True).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=ask, args=(ECHO_MODELS[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert len(echo.chat_requests) == 8


def test_stop_wakes_a_hanging_request() -> None:
    echo = EchoServer(api_key="k").start()
    echo.add_fault(Fault(kind="hang", seconds=60))
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            post(echo, seed_body(QWEN), headers={"Authorization": "Bearer k"}, timeout=120)
        except requests.exceptions.RequestException as exc:
            errors.append(exc)

    thread = threading.Thread(target=ask)
    thread.start()
    while not echo.chat_requests:
        time.sleep(0.01)
    echo.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors, "the hanging request ends with a connection error once the echo stops"
