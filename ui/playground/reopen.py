"""Reopening a saved run on the Playground: its prompt, models, parameters and images put back."""

from __future__ import annotations

import streamlit as st

from ui.shared.session import (
    LIVE_KEY,
    MAX_TOKENS_KEY,
    MODELS_KEY,
    PROMPT_KEY,
    REASONING_EFFORT_KEY,
    SYSTEM_KEY,
    TEMPERATURE_KEY,
    URL_KEY,
    attachments,
)
from vision.chat.attachments import ImageEntry
from vision.history.replay import reopen
from vision.history.store import HistoryStore
from vision.values.run import Run

REOPENED_PREFIX = "camera:history-"


def reopen_run(store: HistoryStore, run: Run) -> list[str]:
    """Fill the Playground's widgets with the run's request; returns notes on what was not kept.

    The uploader cannot be set from code, so kept images join the camera photos (removable
    like them); URL images go back in the URL box.
    """
    found = reopen(store, run)
    state = st.session_state
    state[PROMPT_KEY] = found.prompt
    state[MODELS_KEY] = list(found.models)
    state[URL_KEY] = "\n".join(found.urls)
    if found.system is not None:
        state[SYSTEM_KEY] = found.system
    if found.temperature is not None:
        state[TEMPERATURE_KEY] = float(found.temperature)
    if found.max_tokens is not None:
        state[MAX_TOKENS_KEY] = int(found.max_tokens)
    if found.reasoning_effort is not None:
        state[REASONING_EFFORT_KEY] = found.reasoning_effort
    shots = attachments()
    shots.camera_shots = [
        *(shot for shot in shots.camera_shots if not shot.id.startswith(REOPENED_PREFIX)),
        *(
            # By position: the same picture may be attached twice, and each is a card.
            ImageEntry(
                id=f"{REOPENED_PREFIX}{run.id}-{position}",
                kind="file",
                name=image.name,
                data=image.data,
                sha256=image.sha256,
            )
            for position, image in enumerate(found.images)
        ),
    ]
    state.pop(LIVE_KEY, None)
    notes = list(found.notes)
    unkept = found.missing - len(found.notes)
    if unkept > 0:
        notes.append(f"{unkept} image(s) of this run were not kept in the history: add them again.")
    return notes
