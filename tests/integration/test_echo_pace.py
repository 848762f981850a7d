"""The echo answers at the pace a client's base URL asks for (…/pace/TTFT/TPS/v1), so a demo
without a key streams like a real model; a pace that does not read is refused with a sentence."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import ECHO_API_KEY
from tests.support.models import QWEN
from vision.api.client import VisionClient
from vision.connection import echo_backend
from vision.echo import EchoServer
from vision.echo.pace import EchoPace
from vision.errors import EchoPaceError
from vision.values.request import ChatRequest
from vision.values.result import ChatResult

ASK = ChatRequest(model=QWEN, prompt="Say something at a steady pace, please.")


def _streamed(base_url: str) -> ChatResult:
    with VisionClient(base_url, ECHO_API_KEY) as client:
        *_, result = client.stream(ASK)
    assert isinstance(result, ChatResult)
    return result


def test_a_paced_base_url_waits_for_the_first_token_then_streams_at_its_rate(
    echo: EchoServer,
) -> None:
    pace = EchoPace(ttft_s=0.6, tokens_per_second=40)
    backend = echo_backend(echo, pace)
    assert backend.base_url.endswith("/pace/0.6/40/v1")
    result = _streamed(backend.base_url)
    # Lower bounds only: a busy machine can make the waits longer, never shorter.
    assert result.ttft_s is not None
    assert result.ttft_s >= 0.6
    gaps = (result.usage.completion_tokens or 0) - 1  # after the first, one every 1/40 s
    assert gaps > 10
    assert result.latency_s >= 0.6 + 0.9 * gaps / 40  # the echo's own 100 a second is quicker
    _streamed(echo.base_url)  # the echo's own pace: none at all
    paced, quick = (request.path for request in echo.chat_requests[-2:])
    assert paced == "/pace/0.6/40/v1/chat/completions"
    assert quick == "/v1/chat/completions"


def test_a_pace_that_does_not_read_is_refused_with_what_to_write(echo: EchoServer) -> None:
    root = echo.base_url.removesuffix("/v1")
    for path, says in (
        ("/pace/soon/30/v1/models", "takes two numbers"),
        ("/pace/0.5/0/v1/models", "Tokens per second must be between"),
    ):
        answer = requests.get(root + path, timeout=10)
        assert answer.status_code == 400
        assert says in answer.json()["detail"]


def test_a_pace_out_of_range_is_refused_before_any_request() -> None:
    with pytest.raises(EchoPaceError, match="time to the first token must be between 0 and 60"):
        EchoPace(ttft_s=-1.0)
