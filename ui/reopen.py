"""Reopening a saved run on the Playground: its prompt, model and images put back in place."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from ui.model_picker import MODELS_KEY
from ui.state import CAMERA_SHOTS_KEY, URL_KEY, ImageEntry
from vision.history import HistoryStore
from vision.replay import run_images
from vision.runs import Run

PROMPT_KEY = "prompt"
# The Playground's answers of its last Send: dropped so the reopened request is not mistaken
# for the one those answers replied to.
PLAYGROUND_RUN_KEY = "run"


def reopen_run(state: MutableMapping[Any, Any], store: HistoryStore, run: Run) -> list[str]:
    """Fill the Playground's keys with the run's request; returns notes on what was not kept.

    The Playground's uploader cannot be set from code, so kept images join the list its camera
    photos live in (removable like them); URL images go back in the URL box.
    """
    notes: list[str] = []
    state[PROMPT_KEY] = run.prompt
    state[MODELS_KEY] = [run.model]
    urls = [image.url for image in sorted(run.images, key=lambda i: i.position) if image.url]
    state[URL_KEY] = "\n".join(urls)
    kept = run_images(store, run)
    shots: Sequence[ImageEntry] = [
        entry
        for entry in state.get(CAMERA_SHOTS_KEY, [])
        if not entry.id.startswith("camera:history-")
    ]
    state[CAMERA_SHOTS_KEY] = [
        *shots,
        *(
            ImageEntry(
                id=f"camera:history-{image.sha256}",
                kind="file",
                name=run.item_name if run.item_name and len(kept) == 1 else image.name,
                data=image.data,
                sha256=image.sha256,
            )
            for image in kept
        ),
    ]
    missing = len([image for image in run.images if not image.url]) - len(kept)
    if missing > 0:
        notes.append(
            f"{missing} image(s) of this run were not kept in the history: add them again."
        )
    state.pop(PLAYGROUND_RUN_KEY, None)
    return notes
