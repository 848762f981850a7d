"""Ask several models the same thing at once: one answer or one error per model, in order."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from vision.api.client import VisionClient
from vision.errors import VisionError
from vision.values.request import ChatRequest
from vision.values.result import ChatResult, ReasoningDelta


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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Crash:
    """A worker died of something that is not a VisionError."""

    error: BaseException


_FINISHED = object()


def stream_models(client: VisionClient, requests: Sequence[ChatRequest]) -> Iterator[ModelEvent]:
    """Stream every request at once; events from all models arrive on the caller's thread.

    Each model's events are in order and end with one event carrying its result or its error.
    Closing the iterator early asks the workers to stop at their next delta.
    """
    events: queue.SimpleQueue[ModelEvent | _Crash | object] = queue.SimpleQueue()
    stop = threading.Event()

    def work(index: int, ask: ChatRequest) -> None:
        try:
            stream = client.stream(ask)
            try:
                for item in stream:
                    if stop.is_set():
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

    workers = [
        threading.Thread(target=work, args=(index, ask), daemon=True, name=f"stream-{index}")
        for index, ask in enumerate(requests)
    ]
    for worker in workers:
        worker.start()
    try:
        running = len(workers)
        while running:
            item = events.get()
            if item is _FINISHED:
                running -= 1
            elif isinstance(item, _Crash):
                raise item.error
            elif isinstance(item, ModelEvent):
                yield item
    finally:
        stop.set()
