"""Rebuilding the request of a saved run, to send it again or copy it as code."""

from __future__ import annotations

from dataclasses import dataclass, field

from vision.api.request import ChatClient, ChatRequest, ImageRef
from vision.api.results import ChatResult
from vision.errors import HistoryError, VisionError
from vision.history.records import Run, RunImage, run_from_result
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptImage:
    """The original bytes of a run's image, kept in the history under their hash."""

    name: str
    sha256: str
    data: bytes = field(repr=False)


def original_bytes(store: HistoryStore, image: RunImage) -> KeptImage | None:
    """The kept original bytes of a run's image (by source hash, else by sent hash)."""
    for sha in (image.source_sha256, image.sha256):
        if sha:
            data = store.image_bytes(sha)
            if data is not None:
                return KeptImage(
                    name=f"image-{image.position + 1}-{sha[:8]}", sha256=sha, data=data
                )
    return None


def rebuild_request(run: Run, store: HistoryStore, *, model: str | None = None) -> ChatRequest:
    """The run's request (prompt, system, parameters, images), for its model or another one."""
    target = model or run.model
    refs: list[ImageRef] = []
    for image in sorted(run.images, key=lambda image: image.position):
        if image.url:
            refs.append(ImageRef(url=image.url))
            continue
        kept = original_bytes(store, image)
        if kept is None:
            raise HistoryError(
                f"Image {image.position + 1} of this run was not kept in the history; "
                "add it again on the Playground page."
            )
        refs.append(prepare_image(kept.data, filename=kept.name, model=target).as_ref())
    return ChatRequest(
        model=target,
        prompt=run.prompt,
        images=tuple(refs),
        system=run.system,
        temperature=run.params.get("temperature"),
        max_tokens=run.params.get("max_tokens"),
    )


def rerun(run: Run, store: HistoryStore, client: ChatClient) -> Run:
    """Ask the run's model the run's request again and save the answer (or error) as a new run."""
    request = rebuild_request(run, store)
    outcome: ChatResult | VisionError
    try:
        outcome = client.chat(request)
    except VisionError as err:
        outcome = err
    return store.save_run(
        run_from_result(request, outcome, images=run.images, tag=run.tag, expected=run.expected)
    )


def run_images(store: HistoryStore, run: Run) -> list[KeptImage]:
    """The kept original images of a run (URL images aside), for reopening it on a page."""
    images = []
    for image in sorted(run.images, key=lambda image: image.position):
        kept = None if image.url else original_bytes(store, image)
        if kept is not None:
            images.append(kept)
    return images
