"""Session state: the keys the pages keep that are not widgets, and the values behind them."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

import streamlit as st

from vision.chat.attachments import Attachments
from vision.chat.plan import StitchCache
from vision.chat.preparation import PreparationCache

T = TypeVar("T")
# st.session_state, or any dict in tests.
SessionState = MutableMapping[Any, Any]

# Widget keys the Playground shares with reopen (stable: tests and users rely on them).
PROMPT_KEY = "prompt"
MODELS_KEY = "models"
URL_KEY = "image_urls"

# The Playground's conversation on screen, the earlier ones, and the LiveAnswers of its latest
# exchange: Send waits while that runs, and reopening a saved run drops it to retire the answers.
CONVERSATION_KEY = "conversation"
EARLIER_KEY = "earlier_conversations"
LIVE_KEY = "_live_answers"
FOLLOW_UP_KEY = "follow_up"

CATALOG_KEY = "_catalog"
ATTACHMENTS_KEY = "_attachments"
PREPARATION_KEY = "_preparation"
STITCHED_KEY = "_stitched"


def kept(key: str, make: Callable[[], T]) -> T:
    """The session's value under `key`, made on first use."""
    if key not in st.session_state:
        st.session_state[key] = make()
    value: T = st.session_state[key]
    return value


def attachments() -> Attachments:
    """The Playground's camera photos, removed images and upload hashes."""
    return kept(ATTACHMENTS_KEY, Attachments)


def preparation_cache() -> PreparationCache:
    """Every image prepared, fetched or thumbnailed in this session."""
    return kept(PREPARATION_KEY, PreparationCache)


def stitch_cache() -> StitchCache:
    """The labelled grid of the current images, per model."""
    return kept(STITCHED_KEY, dict)


def remove_image(entry_id: str) -> None:
    """Take an image off the Playground (a widget callback: it may rewrite the URL box)."""
    urls = attachments().remove(entry_id, st.session_state.get(URL_KEY))
    if urls is not None:
        st.session_state[URL_KEY] = urls
