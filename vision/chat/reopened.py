"""Answers brought back to the Playground: a kept question reopened as it was (its answers
included), a kept answer asked again beside itself, and one answer of the newest question
asked again while the others stay."""

from __future__ import annotations

from collections.abc import Sequence

from vision.chat.conversation import Conversation, Exchange, Keeping, Question, SentImage
from vision.errors import HistoryError, ImageError
from vision.history.replay import KeptImage, find_original, rebuild
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.values.request import ChatRequest
from vision.values.run import Run, RunContext, RunImage, RunKind


def _bare_request(run: Run) -> ChatRequest:
    """The run's request without its images (they were not kept)."""
    return ChatRequest(
        model=run.model,
        prompt=run.prompt,
        system=run.system,
        temperature=run.params.get("temperature"),
        max_tokens=run.params.get("max_tokens"),
    )


def _originals(store: HistoryStore, images: Sequence[RunImage]) -> list[tuple[RunImage, bytes]]:
    found = []
    for image in sorted(images, key=lambda image: image.position):
        kept = None if image.url else find_original(store, image)
        if isinstance(kept, KeptImage):  # a file changed or gone is said when reopened
            found.append((image, kept.data))
    return found


def _asked(store: HistoryStore, run: Run) -> tuple[ChatRequest, tuple[SentImage, ...]]:
    """The run's request made again and the images it sends, each with its kept original;
    without images when the history did not keep them."""
    try:
        made = rebuild(run, store)
    except (HistoryError, ImageError):
        return _bare_request(run), ()
    originals = [data for _, data in _originals(store, run.images)]
    images = tuple(
        SentImage(
            name=prepared.filename or f"image {position + 1}",
            prepared=prepared,
            original=originals[position] if position < len(originals) else None,
            original_sha256=prepared.source_sha256,
        )
        for position, prepared in enumerate(made.images)
    )
    return made.request, images


def _attached(store: HistoryStore, run: Run) -> tuple[SentImage, ...]:
    """The pictures behind a stitched grid (a run's sources), prepared for its model."""
    if not run.sources:
        return ()
    pictures = []
    for image, data in _originals(store, run.sources):
        try:
            prepared = prepare_image(data, filename=image.label, model=run.model)
        except ImageError:
            continue
        pictures.append(
            SentImage(
                name=image.label,
                prepared=prepared,
                original=data,
                original_sha256=prepared.source_sha256,
            )
        )
    return tuple(pictures)


def _labelled(run: Run, label: str) -> str:
    return f"{label} · run {run.id} · {run.created_at:%H:%M:%S} UTC" if run.id else label


def reopened(store: HistoryStore, runs: Sequence[Run], keeping: Keeping) -> Conversation:
    """The kept runs asked one question together (the reopened one first) as the conversation
    on screen, their answers shown as they were; a follow-up continues it."""
    first = runs[0]
    asked = [_asked(store, run) for run in runs]
    question = Question(
        requests=tuple(request for request, _ in asked),
        images=tuple(images for _, images in asked),
        image_names=tuple(image.label for image in first.attached),
        labels=tuple(_labelled(run, "kept") for run in runs),
        attached=tuple(_attached(store, run) for run in runs),
    )
    conversation = Conversation(id=first.conversation_id or Conversation().id, from_history=True)
    kind: RunKind = "turn" if first.kind == "turn" else "single"
    context = RunContext(kind=kind, conversation_id=conversation.id, locate=first.locate)
    exchange = Exchange(question, context=context, keeping=keeping, kept=dict(enumerate(runs)))
    conversation.exchanges.append(exchange)
    return conversation


def rerun_beside(store: HistoryStore, run: Run, keeping: Keeping) -> Conversation:
    """The kept run and the same request asked again now, side by side (the new answer is
    saved as a run of its own)."""
    request, images = _asked(store, run)
    pictures = _attached(store, run)
    question = Question(
        requests=(request, request),
        images=(images, images),
        image_names=tuple(image.label for image in run.attached),
        labels=(_labelled(run, "kept"), "asked again now"),
        attached=(pictures, pictures),
    )
    conversation = Conversation(from_history=True)
    context = RunContext(
        conversation_id=conversation.id, tag=run.tag, expected=run.expected, locate=run.locate
    )
    conversation.exchanges.append(
        Exchange(question, context=context, keeping=keeping, kept={0: run})
    )
    return conversation


def regenerated(exchange: Exchange, index: int) -> Exchange:
    """The exchange with column `index` asked again and every other column kept as answered."""
    kept = {column: run for column, run in exchange.indexed_runs() if column != index}
    return Exchange(
        exchange.question, context=exchange.context, keeping=exchange.keeping, kept=kept
    )
