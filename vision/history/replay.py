"""A saved run brought back: its request rebuilt (to send again or copy as code), asked again,
or everything the Playground needs to reopen it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vision.api.reasoning import reasons
from vision.errors import HistoryError, VisionError
from vision.grounding.asking import locate_prompt
from vision.history.store import HistoryStore
from vision.images.intake import prepare_at, prepare_image
from vision.values.batch import Resolution
from vision.values.grounding import LocateTask
from vision.values.image import PreparedImage, SourcePart
from vision.values.request import ChatClient, ChatRequest, Effort, ImageRef, effort_named
from vision.values.result import ChatResult
from vision.values.run import Run, RunContext, RunImage, run_from_result


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptImage:
    """The original bytes of a run's image, kept in the history under their hash, and the
    page or frame of them it showed when they are a document or video."""

    name: str
    sha256: str
    data: bytes = field(repr=False)
    parts: tuple[SourcePart, ...] = ()


def _name(image: RunImage, sha: str) -> str:
    # Runs saved before names were kept get a name that still tells them apart.
    return image.name or f"image-{image.position + 1}-{sha[:8]}"


def find_original(store: HistoryStore, image: RunImage) -> KeptImage | str | None:
    """The kept original of a run's image (by source hash, else by sent hash); else the
    sentence saying what became of it (a file changed or gone), or None when it was not kept."""
    problem = None
    for sha in (image.source_sha256, image.sha256):
        if sha:
            found = store.original(sha)
            if found.data is not None:
                return KeptImage(
                    name=_name(image, sha), sha256=sha, data=found.data, parts=image.parts
                )
            problem = problem or found.problem
    if problem is None:
        return None
    return f"Image {image.position + 1} of this run ({image.label}): {problem}"


# Prepares kept bytes for a model: (data, file name, model, the page or frame of a document
# or video) -> the image as it is sent.
Prepare = Callable[[bytes, str, str, tuple[SourcePart, ...]], PreparedImage]


def _prepare_default(
    data: bytes, name: str, model: str, parts: tuple[SourcePart, ...]
) -> PreparedImage:
    return prepare_image(data, filename=name, model=model, parts=parts)


def sent_images(
    run: Run, store: HistoryStore, *, prepare: Prepare | None = None
) -> tuple[ImageRef, ...]:
    """The images exactly as the run's model received them: each kept original prepared again
    for that model and checked against the hash the run recorded (a URL image is its URL);
    raises HistoryError saying why an image cannot be shown again."""
    refs: list[ImageRef] = []
    for image in sorted(run.images, key=lambda image: image.position):
        if image.url:
            refs.append(ImageRef(url=image.url, label=image.label))
            continue
        kept = find_original(store, image)
        if isinstance(kept, str):
            raise HistoryError(kept)
        if kept is None:
            raise HistoryError(
                f"Image {image.position + 1} of run {run.id} was not kept in the history "
                "(over its limits); run the item again to have it judged with its image."
            )
        prepared = (prepare or _prepare_default)(kept.data, kept.name, run.model, kept.parts)
        if prepared.sha256 != image.sha256:
            raise HistoryError(
                f"Image {image.position + 1} of run {run.id}, prepared again, differs from "
                "what the model was sent (the preparation has changed since); run the item "
                "again to have it judged with its image."
            )
        refs.append(prepared.as_ref())
    return tuple(refs)


def _prepared(run: Run, kept: KeptImage, model: str) -> PreparedImage:
    """A kept original prepared for `model` as the run's was: at the token budget and longest
    side a resolution sweep recorded in its parameters, else at the defaults."""
    resolution = Resolution(
        token_budget=run.params.get("token_budget"), max_side=run.params.get("max_side")
    )
    return prepare_at(
        kept.data, filename=kept.name, model=model, resolution=resolution, parts=kept.parts
    )


def _prompt(run: Run, model: str, sent: list[PreparedImage]) -> str:
    """The run's prompt, or for a locate question put to another model, that model's family's
    own words (at the size its image is sent)."""
    if run.locate is None or model == run.model or len(sent) != 1:
        return run.prompt
    size = (sent[0].width, sent[0].height)
    return locate_prompt(model, run.locate.target, size, kind=run.locate.kind)


def recorded_effort(params: dict[str, Any]) -> Effort | None:
    """The reasoning effort a run was asked with (None for runs without, or saved before)."""
    return effort_named(params.get("reasoning_effort"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Rebuilt:
    """A run's request made again, with its inline images as prepared again (in order; an
    image sent by URL has none)."""

    request: ChatRequest
    images: tuple[PreparedImage, ...] = field(default=(), repr=False)


def rebuild_request(run: Run, store: HistoryStore, *, model: str | None = None) -> ChatRequest:
    """The run's request (prompt, system, parameters, reasoning effort, images) as it was sent,
    for its model or another one (a locate question is then asked in that model's family's
    words, and the effort goes only to a model that reasons)."""
    return rebuild(run, store, model=model).request


def rebuild(run: Run, store: HistoryStore, *, model: str | None = None) -> Rebuilt:
    """rebuild_request, with the prepared images it sends (to keep with a new answer)."""
    target = model or run.model
    effort = recorded_effort(run.params)
    if target != run.model and not reasons(target):
        effort = None
    refs: list[ImageRef] = []
    sent: list[PreparedImage] = []
    for image in sorted(run.images, key=lambda image: image.position):
        if image.url:
            refs.append(ImageRef(url=image.url))
            continue
        kept = find_original(store, image)
        if isinstance(kept, str):
            raise HistoryError(kept)
        if kept is None:
            raise HistoryError(
                f"Image {image.position + 1} of this run was not kept in the history; "
                "add it again on the Playground page."
            )
        sent.append(_prepared(run, kept, target))
        refs.append(sent[-1].as_ref())
    request = ChatRequest(
        model=target,
        prompt=_prompt(run, target, sent),
        images=tuple(refs),
        system=run.system,
        temperature=run.params.get("temperature"),
        max_tokens=run.params.get("max_tokens"),
        reasoning_effort=effort,
    )
    return Rebuilt(request=request, images=tuple(sent))


def rerun(run: Run, store: HistoryStore, client: ChatClient) -> Run:
    """Ask the run's model the run's request again and save the answer (or error) as a new run."""
    request = rebuild_request(run, store)
    outcome: ChatResult | VisionError
    try:
        outcome = client.chat(request)
    except VisionError as err:
        outcome = err
    return store.save_run(
        run_from_result(
            request,
            outcome,
            images=run.images,
            context=RunContext(tag=run.tag, expected=run.expected, locate=run.locate),
            frame=run.frame,
        )
    )


def run_images(store: HistoryStore, run: Run) -> list[KeptImage]:
    """The kept originals of what the person attached to a run (URL images aside), in order."""
    return _attached(store, run)[0]


def _attached(store: HistoryStore, run: Run) -> tuple[list[KeptImage], list[str]]:
    """The attached images' kept originals, and a sentence for each file changed or gone."""
    images: list[KeptImage] = []
    notes: list[str] = []
    for image in sorted(run.attached, key=lambda image: image.position):
        found = None if image.url else find_original(store, image)
        if isinstance(found, KeptImage):
            images.append(found)
        elif found is not None:
            notes.append(found)
    return images, notes


@dataclass(frozen=True, slots=True, kw_only=True)
class Reopened:
    """What the Playground needs to ask a saved run's question again, as it was asked."""

    prompt: str
    system: str | None
    temperature: float | None
    max_tokens: int | None
    reasoning_effort: Effort | None
    models: tuple[str, ...]
    urls: tuple[str, ...]
    images: tuple[KeptImage, ...] = field(repr=False)
    missing: int  # attached images whose originals the history did not keep
    locate: LocateTask | None = None  # what a locate question asked to find
    # A sentence for each of those whose file changed or is gone since the run was saved.
    notes: tuple[str, ...] = ()
    # The runs asked this question together (the reopened one first), answers included.
    runs: tuple[Run, ...] = field(default=(), repr=False)


def asked_together(store: HistoryStore, run: Run) -> tuple[Run, ...]:
    """The runs that answered the same question at the same time as this one, this one first,
    each other model once (the answer nearest in time, when it answered more than once)."""
    if run.conversation_id:
        together = [
            other
            for other in store.conversation_runs(run.conversation_id)
            if other.prompt == run.prompt and other.kind == run.kind
        ]
    elif run.batch_id is not None:
        together = [
            other for other in store.batch_runs(run.batch_id) if other.item_index == run.item_index
        ]
    else:
        together = [run]
    # The reopened run first: it is the answer the person chose to reopen.
    nearest: dict[str, Run] = {run.model: run}
    for other in sorted(together, key=lambda other: abs(other.created_at - run.created_at)):
        nearest.setdefault(other.model, other)
    order = dict.fromkeys([run.model, *(other.model for other in together)])
    return tuple(nearest[model] for model in order)


def reopen(store: HistoryStore, run: Run) -> Reopened:
    """The run's prompt, parameters, models and every image the person attached, with names."""
    attached = sorted(run.attached, key=lambda image: image.position)
    kept, notes = _attached(store, run)
    together = asked_together(store, run)
    return Reopened(
        prompt=run.prompt,
        system=run.system,
        temperature=run.params.get("temperature"),
        max_tokens=run.params.get("max_tokens"),
        reasoning_effort=recorded_effort(run.params),
        models=tuple(other.model for other in together),
        urls=tuple(image.url for image in attached if image.url),
        images=tuple(kept),
        missing=sum(1 for image in attached if not image.url) - len(kept),
        locate=run.locate,
        notes=tuple(notes),
        runs=together,
    )
