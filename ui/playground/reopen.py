"""A saved run brought back to the Playground: its prompt, models, parameters and images put back
and its answers shown as they were (Reopen), or asked again beside itself (Rerun); and, on a tab
that starts empty, the offer to reopen the newest run."""

from __future__ import annotations

import streamlit as st

from ui.playground.answers import keeping, show_brought_back
from ui.playground.question import ASK, LOCATE
from ui.shared.offer import draw_offer, offered
from ui.shared.session import (
    ASK_MODE_KEY,
    ASKED_IMAGES_KEY,
    CARDS_OPEN_KEY,
    LOCATE_KIND_KEY,
    LOCATE_TARGET_KEY,
    MAX_TOKENS_KEY,
    MODELS_KEY,
    PROMPT_KEY,
    REASONING_EFFORT_KEY,
    REOPEN_OFFER_KEY,
    SYSTEM_KEY,
    TEMPERATURE_KEY,
    URL_KEY,
    attachments,
)
from ui.shared.store import history_store
from vision.api.catalog import short_name
from vision.api.client import VisionClient
from vision.chat.attachments import ImageEntry
from vision.chat.reopened import reopened, rerun_beside
from vision.errors import HistoryError
from vision.history.replay import Reopened, reopen
from vision.history.store import HistoryStore
from vision.markdown import clip, literal
from vision.values.run import Run

REOPENED_PREFIX = "camera:history-"


def _put_back(found: Reopened, run: Run) -> list[str]:
    """Fill the Playground's widgets with the run's request; returns notes on what was not kept.

    The uploader cannot be set from code, so kept images join the camera photos (removable
    like them); URL images go back in the URL box.
    """
    state = st.session_state
    if found.locate is not None:
        state[ASK_MODE_KEY] = LOCATE
        state[LOCATE_TARGET_KEY] = found.locate.target
        state[LOCATE_KIND_KEY] = found.locate.kind
    else:
        state[ASK_MODE_KEY] = ASK
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
    entries = [
        # By position: the same picture may be attached twice, and each is a card.
        ImageEntry(
            id=f"{REOPENED_PREFIX}{run.id}-{position}",
            kind="file",
            name=image.name,
            data=image.data,
            sha256=image.sha256,
            parts=image.parts,  # the page or frames it showed, not the whole document again
        )
        for position, image in enumerate(found.images)
    ]
    attachments().replace_all(entries)
    # The reopened question's images show as its strip, like a Send's.
    state[ASKED_IMAGES_KEY] = (
        *(entry.id for entry in entries),
        *(f"url:{url}" for url in found.urls),
    )
    state[CARDS_OPEN_KEY] = False
    notes = list(found.notes)
    unkept = found.missing - len(found.notes)
    if unkept > 0:
        notes.append(f"{unkept} image(s) of this run were not kept in the history: add them again.")
    return notes


def reopen_run(store: HistoryStore, run: Run, client: VisionClient | None) -> list[str]:
    """Put the run's question back on the Playground with the answers given with it, as they
    were; returns notes on what was not kept."""
    found = reopen(store, run)
    notes = _put_back(found, run)
    show_brought_back(st.session_state, reopened(store, found.runs, keeping()), client)
    return notes


def rerun_run(store: HistoryStore, run: Run, client: VisionClient) -> list[str]:
    """Put the run's question back and ask it again: the new answer streams beside the kept
    one, and is saved as a run of its own."""
    notes = _put_back(reopen(store, run), run)
    show_brought_back(st.session_state, rerun_beside(store, run, keeping()), client)
    return notes


def _newest_run_id() -> int | None:
    """The id of the newest run in this person's history, if any."""
    try:
        newest = history_store().search_runs(limit=1)
    except HistoryError:
        return None
    return newest[0].id if newest else None


def _kept_run(run_id: int) -> Run | None:
    try:
        return history_store().get_run(run_id)
    except HistoryError:
        return None


def _reopen_newest(run_id: int, client: VisionClient | None) -> None:
    run = _kept_run(run_id)  # as it is now: it may have gone since the offer was drawn
    if run is not None:
        for note in reopen_run(history_store(), run, client):
            st.toast(note)


def reopen_offer(client: VisionClient | None, *, empty: bool) -> None:
    """On a page that starts empty (a new tab, a reload): where the earlier answers are, and
    the newest one a click away."""
    if not empty:
        return
    run_id = offered(REOPEN_OFFER_KEY, _newest_run_id)
    if not run_id:
        return
    run = _kept_run(run_id)
    if run is None:
        return
    draw_offer(
        REOPEN_OFFER_KEY,
        key="reopen_offer",
        kept="A new or reloaded tab starts empty; every answer is kept on the History page.",
        newest=f"“{literal(clip(run.prompt, 80))}” to {literal(short_name(run.model))}, "
        f"{run.created_at:%Y-%m-%d %H:%M} UTC",
        open_label="Reopen the last run",
        open_key="reopen_last",
        open_icon=":material/open_in_new:",
        on_open=lambda: _reopen_newest(run_id, client),
    )
