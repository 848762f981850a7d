"""Ask several models the same thing at once: one answer or one error per model, in order."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from vision.api.client import VisionClient
from vision.errors import RequestError, VisionError
from vision.values.request import ChatRequest
from vision.values.result import STOPPED, ChatResult, ReasoningDelta, Usage


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelOutcome:
    """One model's answer, or the error that stopped it."""

    model: str
    result: ChatResult | None = None
    error: VisionError | None = None

    @property
    def ok(self) -> bool:
        """True when the model answered."""
        return self.result is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelEvent:
    """One step of one model's stream: a piece of its answer or of its reasoning (apart), its
    final result, or its error."""

    index: int
    model: str
    delta: str | None = None
    result: ChatResult | None = None
    error: VisionError | None = None
    reasoning: str | None = None

    @property
    def done(self) -> bool:
        """True for the last event of this model (a result or an error)."""
        return self.result is not None or self.error is not None


def compare_models(
    client: VisionClient, request: ChatRequest, models: Sequence[str]
) -> list[ModelOutcome]:
    """Send `request` to every model concurrently; outcomes come back in the order asked."""
    if not models:
        return []
    asks = [replace(request, model=model) for model in models]
    with ThreadPoolExecutor(max_workers=len(asks), thread_name_prefix="compare") as pool:
        futures = [pool.submit(client.chat, ask) for ask in asks]
    outcomes: list[ModelOutcome] = []
    bug: BaseException | None = None
    for model, future in zip(models, futures, strict=True):
        failure = future.exception()
        if failure is None:
            outcomes.append(ModelOutcome(model=model, result=future.result()))
        elif isinstance(failure, VisionError):
            outcomes.append(ModelOutcome(model=model, error=failure))
        else:
            bug = bug or failure
    if bug is not None:
        # Not a user-facing failure: a bug must be loud, not hidden in one column.
        raise bug
    return outcomes


class StopSignal:
    """Which models of a run were asked to stop, from any thread: each one's stream ends at
    once with what it has said, and the rest go on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped: set[int] = set()
        self._all = False
        self._wake: Callable[[], None] | None = None

    def stop(self, index: int | None = None) -> None:
        """Stop model number `index` (every model when None)."""
        with self._lock:
            if index is None:
                self._all = True
            else:
                self._stopped.add(index)
            wake = self._wake
        if wake is not None:
            wake()

    def stopped(self, index: int) -> bool:
        """True once model number `index` was asked to stop."""
        with self._lock:
            return self._all or index in self._stopped

    def _listen(self, wake: Callable[[], None]) -> None:
        with self._lock:
            self._wake = wake


def stopped_result(
    model: str,
    text: str,
    *,
    latency_s: float,
    ttft_s: float | None,
    reasoning: str = "",
    answer_ttft_s: float | None = None,
) -> ChatResult:
    """What a model had said when the person stopped it (its answer and reasoning so far),
    kept as stopped."""
    return ChatResult(
        text=text,
        model=model,
        finish_reason=STOPPED,
        usage=Usage(),
        latency_s=latency_s,
        ttft_s=ttft_s,
        complete=False,
        incomplete_reason="stopped before the end, as asked",
        reasoning=reasoning or None,
        answer_ttft_s=answer_ttft_s,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Crash:
    """A worker died of something that is not a VisionError."""

    error: BaseException


_FINISHED = object()
_WAKE = object()


def _stream_of(
    client: VisionClient | None, ask: ChatRequest
) -> Iterator[str | ReasoningDelta | ChatResult]:
    if client is None:
        raise RequestError("Add an API key in the sidebar, or turn on the echo backend, to ask.")
    return client.stream(ask)


def stream_models(
    client: VisionClient | None,
    requests: Sequence[ChatRequest],
    stop: StopSignal | None = None,
    answered: Mapping[int, ChatResult | VisionError] | None = None,
) -> Iterator[ModelEvent]:
    """Stream every request at once; events from all models arrive on the caller's thread.

    Each model's events are in order and end with one event carrying its result or its error;
    a model stopped through `stop` ends at once with its text so far (stopped_result). The
    requests `answered` already (an answer kept from before) are not sent: their outcome comes
    first (with every request answered, no client is needed). Closing the iterator early asks
    the workers to stop at their next delta.
    """
    events: queue.SimpleQueue[ModelEvent | _Crash | object] = queue.SimpleQueue()
    closing = threading.Event()
    signal = stop or StopSignal()
    signal._listen(lambda: events.put(_WAKE))
    started = time.perf_counter()

    def work(index: int, ask: ChatRequest) -> None:
        try:
            stream = _stream_of(client, ask)
            try:
                for item in stream:
                    if closing.is_set() or signal.stopped(index):
                        return
                    if isinstance(item, ReasoningDelta):
                        events.put(ModelEvent(index=index, model=ask.model, reasoning=item.text))
                    elif isinstance(item, str):
                        events.put(ModelEvent(index=index, model=ask.model, delta=item))
                    else:
                        events.put(ModelEvent(index=index, model=ask.model, result=item))
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
        except VisionError as error:
            events.put(ModelEvent(index=index, model=ask.model, error=error))
        except BaseException as error:  # handed to the caller thread, re-raised there
            events.put(_Crash(error=error))
        finally:
            events.put(_FINISHED)

    kept = dict(answered or {})
    for index, outcome in sorted(kept.items()):
        ask = requests[index]
        if isinstance(outcome, VisionError):
            yield ModelEvent(index=index, model=ask.model, error=outcome)
        else:
            yield ModelEvent(index=index, model=ask.model, result=outcome)
    workers = [
        threading.Thread(target=work, args=(index, ask), daemon=True, name=f"stream-{index}")
        for index, ask in enumerate(requests)
        if index not in kept
    ]
    for worker in workers:
        worker.start()
    said: list[list[str]] = [[] for _ in requests]
    thought: list[list[str]] = [[] for _ in requests]
    first_at: list[float | None] = [None] * len(requests)
    answer_at: list[float | None] = [None] * len(requests)
    ended = [index in kept for index in range(len(requests))]
    try:
        running = len(workers)
        # A stopped model's worker may be waiting on its server: the run ends without it.
        while running and not all(ended):
            for index, ask in enumerate(requests):
                if not ended[index] and signal.stopped(index):
                    ended[index] = True
                    yield ModelEvent(
                        index=index,
                        model=ask.model,
                        result=stopped_result(
                            ask.model,
                            "".join(said[index]),
                            latency_s=time.perf_counter() - started,
                            ttft_s=first_at[index],
                            reasoning="".join(thought[index]),
                            answer_ttft_s=answer_at[index],
                        ),
                    )
            if all(ended):
                break
            item = events.get()
            if item is _FINISHED:
                running -= 1
            elif isinstance(item, _Crash):
                raise item.error
            elif isinstance(item, ModelEvent) and not ended[item.index]:
                now = time.perf_counter() - started
                if (item.delta or item.reasoning) and first_at[item.index] is None:
                    first_at[item.index] = now
                if item.reasoning:
                    thought[item.index].append(item.reasoning)
                if item.delta:
                    said[item.index].append(item.delta)
                    if answer_at[item.index] is None:
                        answer_at[item.index] = now
                ended[item.index] = item.done
                yield item
    finally:
        closing.set()
