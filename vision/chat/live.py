"""One Send: the chosen models' streams drained into session state, surviving page reruns."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from vision.background import BackgroundTask
from vision.chat.compare import ModelEvent, StopSignal
from vision.chat.redraw import STREAMING
from vision.errors import VisionError
from vision.values.result import ChatResult


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """What one model has answered so far: its answer, and apart from it its reasoning."""

    model: str
    label: str = ""  # what this request carries when a model gets several (one per image)
    image_tokens: int = 0  # the images' estimated prompt tokens, to check usage against
    text: str = ""
    reasoning: str = ""
    result: ChatResult | None = None
    error: VisionError | None = field(default=None, compare=False)
    # Seconds from the start to the first piece of any kind, and of the answer, as seen here.
    first_piece_s: float | None = None
    first_answer_s: float | None = None

    @property
    def finished(self) -> bool:
        """True once the model's answer or error is in."""
        return self.result is not None or self.error is not None

    @property
    def answering(self) -> bool:
        """True once the answer itself has begun (a reasoning model has stopped thinking)."""
        return bool(self.text)

    @property
    def ttft_s(self) -> float | None:
        """Time to the first token of any kind: the client's measure once the answer is in."""
        if self.result is not None and self.result.ttft_s is not None:
            return self.result.ttft_s
        return self.first_piece_s

    @property
    def answer_ttft_s(self) -> float | None:
        """Time to the first token of the answer (after any reasoning)."""
        if self.result is not None and self.result.answer_ttft_s is not None:
            return self.result.answer_ttft_s
        return self.first_answer_s

    @property
    def reasoning_tokens(self) -> int | None:
        """The reasoning's token count, once the server has reported usage."""
        return self.result.usage.reasoning_tokens if self.result is not None else None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswersSnapshot:
    """A consistent view of a run at one moment."""

    columns: tuple[Column, ...]
    done: bool
    error: VisionError | None = field(default=None, compare=False)


class LiveAnswers:
    """Drains compare.stream_models on a worker thread so a rerun of the page neither stops
    nor repeats the run; the page reads snapshots and draws them."""

    def __init__(
        self,
        *,
        prompt: str,
        models: Sequence[str],
        image_names: Sequence[str],
        events: Callable[[], Iterator[ModelEvent]],
        labels: Sequence[str] | None = None,
        image_tokens: Sequence[int] | None = None,
        stop: StopSignal | None = None,
    ) -> None:
        self.prompt = prompt
        self._stop = stop or StopSignal()
        self.image_names = tuple(image_names)
        labels = labels or [""] * len(models)
        image_tokens = image_tokens or [0] * len(models)
        self._columns = [
            Column(model=model, label=label, image_tokens=tokens)
            for model, label, tokens in zip(models, labels, image_tokens, strict=True)
        ]
        self._events = events
        self._lock = threading.Lock()
        self._task = BackgroundTask(self._drain, name="vision-answers")
        self._started = False
        self._started_at = 0.0

    def start(self) -> LiveAnswers:
        """Begin streaming (once: a second call does nothing); returns self."""
        with self._lock:
            if not self._started:
                self._started = True
                self._started_at = time.perf_counter()
                STREAMING.began()  # counted from here: the page reads it in this same run
                try:
                    self._task.start()
                except BaseException:  # no thread to count it down (the process has none left)
                    STREAMING.ended()
                    raise
        return self

    @property
    def started(self) -> bool:
        """True once start() has been called."""
        return self._started

    def _apply(self, event: ModelEvent) -> None:
        column = self._columns[event.index]
        now = time.perf_counter() - self._started_at
        if (event.delta or event.reasoning) and column.first_piece_s is None:
            column = replace(column, first_piece_s=now)
        if event.reasoning:
            column = replace(column, reasoning=column.reasoning + event.reasoning)
        if event.delta:
            if column.first_answer_s is None:
                column = replace(column, first_answer_s=now)
            column = replace(column, text=column.text + event.delta)
        if event.result is not None:
            column = replace(
                column,
                text=event.result.text,
                reasoning=event.result.reasoning or column.reasoning,
                result=event.result,
            )
        if event.error is not None:
            column = replace(column, error=event.error)
        self._columns[event.index] = column

    def _drain(self) -> None:
        try:
            for event in self._events():
                with self._lock:
                    self._apply(event)
        finally:
            STREAMING.ended()

    def stop(self, index: int | None = None) -> None:
        """Stop column `index` (every column when None): what it has said is kept, as stopped."""
        self._stop.stop(index)

    def wait(self, timeout: float) -> bool:
        """Block up to timeout seconds for the answers to end; True when they have."""
        return self._task.wait(timeout)

    def snapshot(self) -> AnswersSnapshot:
        """The columns as they are now; re-raises any non-VisionError the stream raised."""
        done = not self._task.running  # read first: once done, every event is applied
        error = self._task.error
        with self._lock:
            columns = tuple(self._columns)
        return AnswersSnapshot(columns=columns, done=done, error=error)

    @property
    def running(self) -> bool:
        """True while the models are still answering."""
        return self._task.running
