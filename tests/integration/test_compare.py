"""Several models at once against the echo backend: order, isolation, concurrency, live events."""

from __future__ import annotations

import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ECHO_API_KEY
from tests.support.models import LLAMA, QWEN
from vision.api.client import VisionClient
from vision.chat.compare import ModelEvent, compare_models, stream_models
from vision.echo import Fault
from vision.errors import BadRequestError, ModelNotAvailableError, StreamError
from vision.values.request import ChatRequest

KEY = ECHO_API_KEY
MISSING = "nobody/NoSuchModel"


@pytest.fixture
def client(echo):
    with VisionClient(echo.base_url, KEY, timeout=(2.0, 5.0), deadline_s=20.0) as made:
        yield made


def _request(model=LLAMA):
    return ChatRequest(model=model, prompt="What is in this image?")


def test_compare_returns_one_outcome_per_model_in_order(client):
    outcomes = compare_models(client, _request(), [QWEN, MISSING, LLAMA])
    assert [outcome.model for outcome in outcomes] == [QWEN, MISSING, LLAMA]
    qwen, missing, llama = outcomes
    assert qwen.ok
    assert QWEN in qwen.result.text
    assert llama.ok
    assert LLAMA in llama.result.text
    assert not missing.ok
    assert isinstance(missing.error, ModelNotAvailableError)


def test_one_model_failing_keeps_the_others_answers(client, echo):
    echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=1))
    outcomes = compare_models(client, _request(), [LLAMA, QWEN])
    assert outcomes[0].ok
    assert isinstance(outcomes[1].error, BadRequestError)


def test_compare_runs_models_at_the_same_time(client, echo):
    # Each answer takes 3 s; one after another, the second request could not arrive before 3 s.
    for model in (LLAMA, QWEN, LLAMA):
        echo.add_fault(Fault(kind="slow", ttft_s=3.0, model=model, times=1))
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(compare_models, client, _request(), [LLAMA, QWEN, LLAMA])
        all_arrived = _wait_until(lambda: len(echo.chat_requests) == 3, within_s=2.5)
        outcomes = running.result()
    assert all_arrived, "all three requests were in flight together"
    assert all(outcome.ok for outcome in outcomes)


def _wait_until(condition, *, within_s):
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_compare_with_no_models_is_empty(client):
    assert compare_models(client, _request(), []) == []


def _collect(events):
    deltas: dict[int, list[str]] = defaultdict(list)
    finals: dict[int, ModelEvent] = {}
    for event in events:
        assert event.index not in finals, "no event may follow a model's last one"
        if event.delta is not None:
            deltas[event.index].append(event.delta)
        else:
            assert event.done
            finals[event.index] = event
    return deltas, finals


def test_stream_models_interleaves_live_deltas_and_ends_each_model(client):
    deltas, finals = _collect(stream_models(client, [_request(LLAMA), _request(QWEN)]))
    assert set(finals) == {0, 1}
    for index, model in enumerate((LLAMA, QWEN)):
        final = finals[index]
        assert final.model == model
        assert final.result is not None
        assert final.result.complete
        assert "".join(deltas[index]) == final.result.text


def test_stream_models_reports_each_models_error_as_an_event(client, echo):
    echo.add_fault(Fault(kind="stream_error", after_chunks=2, model=QWEN, times=1))
    deltas, finals = _collect(
        stream_models(client, [_request(LLAMA), _request(QWEN), _request(MISSING)])
    )
    assert finals[0].result is not None
    assert isinstance(finals[1].error, StreamError)
    assert finals[1].error.partial_text == "".join(deltas[1])
    assert len(deltas[1]) == 2
    assert isinstance(finals[2].error, ModelNotAvailableError)


def test_stream_models_can_be_abandoned_early(client, echo):
    echo.add_fault(Fault(kind="slow", token_delay_s=0.2, times=None))
    events = stream_models(client, [_request(LLAMA), _request(QWEN)])
    first = next(events)
    assert first.delta is not None
    events.close()  # the workers stop at their next delta


class _BrokenClient(VisionClient):
    """A client with a bug for one model: the bug must reach the caller, not vanish."""

    def chat(self, request=None, **fields):
        if request is not None and request.model == QWEN:
            raise RuntimeError("bug in chat")
        return super().chat(request, **fields)

    def stream(self, request=None, **fields):
        if request is not None and request.model == QWEN:
            raise RuntimeError("bug in stream")
        return super().stream(request, **fields)


def test_a_bug_in_a_worker_is_raised_on_the_callers_thread(echo):
    with _BrokenClient(echo.base_url, KEY) as broken:
        with pytest.raises(RuntimeError, match="bug in chat"):
            compare_models(broken, _request(), [LLAMA, QWEN])
        with pytest.raises(RuntimeError, match="bug in stream"):
            list(stream_models(broken, [_request(LLAMA), _request(QWEN)]))
