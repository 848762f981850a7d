"""Reopening a saved run on the Playground: its prompt, model and images put back in place."""

from __future__ import annotations

import streamlit as st

from ui.shared.session import LIVE_KEY, MODELS_KEY, PROMPT_KEY, URL_KEY, attachments
from vision.chat.attachments import ImageEntry
from vision.history.records import Run
from vision.history.replay import run_images
from vision.history.store import HistoryStore


def reopen_run(store: HistoryStore, run: Run) -> list[str]:
    """Fill the Playground's widgets with the run's request; returns notes on what was not kept.

    The uploader cannot be set from code, so kept images join the camera photos (removable
    like them); URL images go back in the URL box.
    """
    notes: list[str] = []
    state = st.session_state
    state[PROMPT_KEY] = run.prompt
    state[MODELS_KEY] = [run.model]
    urls = [image.url for image in sorted(run.images, key=lambda i: i.position) if image.url]
    state[URL_KEY] = "\n".join(urls)
    kept = run_images(store, run)
    shots = attachments()
    shots.camera_shots = [
        *(shot for shot in shots.camera_shots if not shot.id.startswith("camera:history-")),
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
    state.pop(LIVE_KEY, None)
    return notes
