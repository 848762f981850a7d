"""The Playground's conversations: each Send or follow-up, its requests, and its saved runs.

A Send starts a conversation with the chosen models; each follow-up adds an exchange in which
every model gets its own earlier turns (its own answers, the images of those turns) as context.
Each model's run is saved to the history on the worker thread the moment it completes, so an
answer is kept even when nobody reruns the page.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from vision.api.catalog import Catalog, sees_images, short_name
from vision.api.client import VisionClient
from vision.calibration.calibrator import Calibrator
from vision.chat.compare import ModelEvent, StopSignal, stream_models
from vision.chat.follow_up import follow_up
from vision.chat.live import Column, LiveAnswers
from vision.errors import HistoryError, ImageError, KeptRunError, VisionError
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.images.thumbnail import image_from_prepared
from vision.values.image import PreparedImage
from vision.values.request import ChatRequest, ImageRef
from vision.values.result import ChatResult
from vision.values.run import Run, RunContext, RunImage, run_from_result

# How many earlier conversations the page keeps beside the current one (the history keeps all).
EARLIER_LIMIT = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class SentImage:
    """One image of an exchange as a model received it, with where it came from."""

    name: str
    prepared: PreparedImage = field(repr=False)
    url: str | None = field(default=None, repr=False)
    original: bytes | None = field(default=None, repr=False)
    original_sha256: str | None = None

    @property
    def ref(self) -> ImageRef:
        """The content part the model received."""
        return self.prepared.as_ref()


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """What one exchange asks: each model's request, the images each received, the names the
    person gave them, the columns' labels, and what was attached where it differs from what
    was sent (a stitched grid's pictures, a follow-up's earlier images)."""

    requests: tuple[ChatRequest, ...]
    images: tuple[tuple[SentImage, ...], ...]
    image_names: tuple[str, ...] = ()
    labels: tuple[str, ...] | None = None
    attached: tuple[tuple[SentImage, ...], ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Keeping:
    """Where an exchange's answers are kept: the history (or the sentence saying why there is
    none) and the calibrator that learns from their usage."""

    store: HistoryStore | None
    problem: str | None = None
    calibrator: Calibrator | None = None


def kept_outcome(run: Run) -> ChatResult | VisionError:
    """A kept run's answer as the model gave it (or its error), to show again."""
    if run.error is not None:
        return KeptRunError(run.error)
    return ChatResult(
        text=run.answer,
        model=run.model,
        finish_reason=run.finish_reason,
        usage=run.usage,
        latency_s=run.latency_s or 0.0,
        ttft_s=run.ttft_s,
        complete=run.complete,
        reasoning=run.reasoning,
    )


class Exchange:
    """One question to every model of a conversation, streaming on a worker thread; columns
    `kept` from the history show their saved answers and are neither asked nor saved again."""

    def __init__(
        self,
        question: Question,
        *,
        context: RunContext,
        keeping: Keeping,
        kept: Mapping[int, Run] | None = None,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.question = question
        self.keeping = keeping
        self._calibrator = keeping.calibrator
        self.context = context
        self.requests = question.requests
        self.prompt = self.requests[0].prompt if self.requests else ""
        self.image_names = question.image_names
        self.labels = question.labels
        self._images = list(question.images)
        # What the person attached, per request, where it differs from what was sent.
        self._attached = list(question.attached or [() for _ in question.images])
        self._store = keeping.store
        self._lock = threading.Lock()
        # One history thumbnail per picture: every model's version of it (sized for that
        # model) and its runs' sources show the same thing, and each model's run is saved from
        # this exchange. Made once, not once per model: each is a decode of the sent bytes.
        self._thumbnails: dict[tuple[object, ...], bytes] = {}
        self._kept = dict(kept or {})
        self._runs: dict[int, Run] = dict(self._kept)
        self._problem = keeping.problem
        self.live: LiveAnswers | None = None

    @property
    def models(self) -> tuple[str, ...]:
        """The models asked, in column order."""
        return tuple(request.model for request in self.requests)

    def start(self, client: VisionClient | None) -> Exchange:
        """Send every request concurrently; returns self."""
        self.prepare(client)
        assert self.live is not None  # made by prepare
        self.live.start()
        return self

    def prepare(self, client: VisionClient | None) -> Exchange:
        """Make the answers' LiveAnswers without starting it (a page starts it once the run is
        where its next script run will find it); returns self. Only columns asked anew need
        a client (without one, each says how to get one)."""
        requests = list(self.requests)
        stop = StopSignal()
        answered = {index: kept_outcome(run) for index, run in self._kept.items()}
        self.live = LiveAnswers(
            prompt=self.prompt,
            models=self.models,
            image_names=self.image_names,
            events=lambda: self._saving(stream_models(client, requests, stop, answered)),
            labels=self.labels,
            stop=stop,
            image_tokens=[
                sum(image.prepared.estimated_tokens or 0 for image in per_request)
                for per_request in self._images
            ],
        )
        return self

    def _saving(self, events: Iterator[ModelEvent]) -> Iterator[ModelEvent]:
        for event in events:
            yield event  # the column shows the answer first, then it is saved
            if event.result is not None:
                self._record(event.index, event.result)
                self._measure(event.index, event.result)
            elif event.error is not None:
                self._record(event.index, event.error)

    def _measure(self, index: int, result: ChatResult) -> None:
        """What this answer says its images cost the model, kept for the model's estimates
        (first questions only: a follow-up's earlier turns would blur the measurement)."""
        request = self.requests[index]
        if self._calibrator is None or request.history or index in self._kept:
            return
        sizes = [(image.prepared.width, image.prepared.height) for image in self._images[index]]
        with contextlib.suppress(VisionError):  # a measurement lost is no answer lost
            self._calibrator.record_answer(
                request.model,
                sizes=sizes,
                texts=[request.prompt, request.system or ""],
                prompt_tokens=result.usage.prompt_tokens,
            )

    def _records(self, images: Sequence[SentImage]) -> tuple[RunImage, ...]:
        """The history records of these images (called under the lock)."""
        records = []
        for position, image in enumerate(images):
            prepared = image.prepared
            picture = (prepared.source_sha256, prepared.parts, prepared.cells)
            thumbnail = self._thumbnails.get(picture)
            record = image_from_prepared(prepared, position=position, thumbnail=thumbnail)
            self._thumbnails[picture] = record.thumbnail
            records.append(replace(record, url=image.url, name=image.name))
        return tuple(records)

    def _originals(self, index: int) -> dict[str, bytes]:
        """The original bytes of model `index`'s images, so its run can be reopened and rerun."""
        return {
            image.original_sha256: image.original
            for image in (*self._images[index], *self._attached[index])
            if image.original is not None and image.original_sha256
        }

    def _record(self, index: int, outcome: ChatResult | VisionError) -> None:
        """Build this model's run and save it, once; a failed save is kept as a sentence."""
        with self._lock:
            if index in self._runs:
                return
            run = replace(
                run_from_result(
                    self.requests[index],
                    outcome,
                    images=self._records(self._images[index]),
                    context=self.context,
                ),
                sources=self._records(self._attached[index]),
            )
            if self._store is not None and self._problem is None:
                try:
                    run = self._store.save_run(run, originals=self._originals(index))
                except HistoryError as err:
                    self._problem = str(err)
            self._runs[index] = run

    @property
    def save_problem(self) -> str | None:
        """Why this exchange's runs are not in the history, or None."""
        with self._lock:
            return self._problem

    def runs(self) -> list[Run]:
        """The runs completed so far, in column order (with their history ids once saved)."""
        return [run for _, run in self.indexed_runs()]

    def indexed_runs(self) -> list[tuple[int, Run]]:
        """The completed runs with their column numbers (a model may have several columns)."""
        with self._lock:
            return sorted(self._runs.items())

    def columns(self) -> tuple[Column, ...]:
        """Each model's answer as it stands now."""
        assert self.live is not None
        return self.live.snapshot().columns

    @property
    def running(self) -> bool:
        """True while a model of this exchange is still answering."""
        return self.live is not None and self.live.running

    def kept(self, index: int) -> Run | None:
        """The history's run shown in column `index`, when the column was not asked anew."""
        return self._kept.get(index)

    def asked_again(self) -> tuple[Run, Run | None] | None:
        """When this exchange asks a kept answer again beside itself (rerun_beside): the kept
        run and the new one (None until it is in); else None."""
        kept = self.kept(0)
        if kept is None or len(self.models) != 2 or self.kept(1) is not None:
            return None
        if self.models[0] != self.models[1]:
            return None
        return kept, dict(self.indexed_runs()).get(1)

    def images_for(self, index: int) -> tuple[SentImage, ...]:
        """The images model number `index` received in this exchange."""
        return self._images[index]

    def attached_for(self, index: int) -> tuple[SentImage, ...]:
        """The person's images behind what model number `index` received (a grid's pictures)."""
        return self._attached[index] or self._images[index]


@dataclass(slots=True, kw_only=True)
class Conversation:
    """A Send and its follow-ups, with the same models side by side."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    exchanges: list[Exchange] = field(default_factory=list)
    # Brought back from the history to be seen as it was (reopened, or asked again beside).
    from_history: bool = False

    @property
    def latest(self) -> Exchange:
        """The last exchange (the one streaming, if any)."""
        return self.exchanges[-1]

    @property
    def models(self) -> tuple[str, ...]:
        """The models of the conversation, in column order."""
        return self.latest.models

    def runs(self) -> list[Run]:
        """Every completed run of the conversation, turn by turn."""
        return [run for exchange in self.exchanges for run in exchange.runs()]

    def next_request(
        self, index: int, prompt: str, images: Sequence[ImageRef]
    ) -> ChatRequest | VisionError:
        """Model `index`'s follow-up request, with its own earlier turns, or why it cannot go.

        A turn the model failed on is left out of its context: it never answered it.
        """
        base: ChatRequest | None = None
        answer = ""
        for exchange in reversed(self.exchanges):
            column = exchange.columns()[index]
            if column.result is not None:
                base, answer = exchange.requests[index], column.result.text
                break
        if base is None:
            first = self.exchanges[0].requests[index]
            return replace(first, prompt=prompt, images=tuple(images), history=())
        try:
            return follow_up(base, answer, prompt=prompt, images=images)
        except VisionError as err:
            return err


def earlier_runs(model: str, earlier: Sequence[Conversation]) -> list[Run]:
    """This model's completed runs in earlier conversations, newest first."""
    runs = [run for conversation in earlier for run in conversation.runs() if run.model == model]
    return sorted(runs, key=lambda run: run.created_at, reverse=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class ShownAnswer:
    """An answer on screen and the exchange that asked for it."""

    exchange_id: str
    run: Run


def shown_answers(conversations: Sequence[Conversation]) -> dict[str, ShownAnswer]:
    """Every answer (not error) on screen, newest first, under a key that stays put across
    reruns."""
    found: dict[str, ShownAnswer] = {}
    for conversation in conversations:
        for exchange in reversed(conversation.exchanges):
            for index, run in exchange.indexed_runs():
                if run.error is None:
                    found[f"{exchange.id}:{index}"] = ShownAnswer(exchange_id=exchange.id, run=run)
    return found


def pasted_images(
    files: Sequence[tuple[str, bytes]], models: Sequence[str], catalog: Catalog | None
) -> list[list[SentImage]] | str:
    """Images pasted into a follow-up (name and bytes), made ready for each model's column, or
    the sentence saying why they cannot go."""
    if files and catalog is not None:
        blind = [model for model in models if not sees_images(catalog.info(model))]
        if blind:
            return f"{short_name(blind[0])} cannot read images: ask it in words only."
    per_model: list[list[SentImage]] = [[] for _ in models]
    for name, data in files:
        ready: dict[str, PreparedImage] = {}  # a model may have several columns
        for index, model in enumerate(models):
            try:
                if model not in ready:
                    ready[model] = prepare_image(data, filename=name, model=model)
            except ImageError as err:
                return f"{name}: {err}"
            prepared = ready[model]
            per_model[index].append(
                SentImage(
                    name=name,
                    prepared=prepared,
                    original=data,
                    original_sha256=prepared.source_sha256,
                )
            )
    return per_model
