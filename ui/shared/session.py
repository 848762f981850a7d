"""Session state: the keys the pages keep that are not widgets, and the values behind them."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import streamlit as st

from vision.chat.attachments import Attachments
from vision.chat.plan import StitchCache
from vision.chat.preparation import PreparationCache
from vision.session_key import SessionKey

T = TypeVar("T")
# st.session_state, or any dict in tests.
SessionState = MutableMapping[Any, Any]

# Widget keys the Playground shares with reopen (stable: tests and users rely on them).
PROMPT_KEY = "prompt"
MODELS_KEY = "models"
URL_KEY = "image_urls"
# The Parameters popover's widgets, which a reopened run sets too.
SYSTEM_KEY = "system_prompt"
TEMPERATURE_KEY = "temperature"
MAX_TOKENS_KEY = "max_tokens"
QWEN_BUDGET_KEY = "qwen_token_budget"
REASONING_EFFORT_KEY = "reasoning_effort"

# How fast the app's echo answers (the sidebar's widgets).
ECHO_TTFT_KEY = "echo_ttft"
ECHO_RATE_KEY = "echo_tokens_per_second"

# The Playground's way of asking (Ask or Locate), what Locate looks for and as what.
ASK_MODE_KEY = "ask_mode"
LOCATE_TARGET_KEY = "locate_target"
LOCATE_KIND_KEY = "locate_kind"
# Whether the image cards are open while answers are on screen (a widget), the images the
# question on screen was asked with, and the thumbnail shown large.
CARDS_OPEN_KEY = "cards_open"
ASKED_IMAGES_KEY = "_asked_images"
# Boxes drawn over an answer's picture, per answer and picture.
DRAWN_KEY = "_drawn_boxes"
# The last new session's offer to reopen its latest run was answered (or nothing to offer).
REOPEN_OFFER_KEY = "_reopen_offer"
# The word diff's pickers follow the newest question: the one they were set for.
DIFF_NEWEST_KEY = "_diff_newest"

# The Playground's conversation on screen, the earlier ones, and the LiveAnswers of its latest
# exchange: Send waits while that runs, and reopening a saved run drops it to retire the answers.
CONVERSATION_KEY = "conversation"
EARLIER_KEY = "earlier_conversations"
LIVE_KEY = "_live_answers"
FOLLOW_UP_KEY = "follow_up"

# Per copy-as-code panel: the request shown and its snippets.
CODE_KEY = "_code_snippets"

# How several images go to Llama 3.2 (a widget).
LLAMA_MODE_KEY = "llama_images"

# The word diff's toggle (a widget).
DIFF_TOGGLE_KEY = "diff_on"

# The Batch page's inputs (widgets).
BATCH_FILES_KEY = "batch_images"
BATCH_FOLDER_KEY = "batch_folder"
BATCH_FOLDER_MODE_KEY = "batch_folder_mode"
BATCH_URLS_KEY = "batch_urls"
BATCH_TABLE_KEY = "batch_table"
BATCH_PROMPT_KEY = "batch_prompt"
BATCH_TAG_KEY = "batch_tag"
BATCH_MODELS_KEY = "batch_models"
BATCH_CONCURRENCY_KEY = "batch_concurrency"
# The files the Batch page's uploaders have held (vision.batch.items.kept_uploads.KeptUploads):
# a page switch empties an uploader, not the batch.
BATCH_UPLOADS_KEY = "_batch_uploads"
BATCH_TABLE_UPLOAD_KEY = "_batch_table_upload"

# The Batch page's scoring, chosen before the run (widgets): the metric, the answer expected
# of the uploaded images and URLs, and the table's column holding its rows' expected answers.
BATCH_METRIC_KEY = "batch_metric"
BATCH_EXPECTED_KEY = "batch_expected"
BATCH_EXPECTED_COLUMN_KEY = "batch_expected_column"
# The Batch page's results tabs (a widget: the open tab's label).
BATCH_TABS_KEY = "batch_tab"
# The Batch page's cache switch, and the earlier batch chosen to reopen (widgets).
BATCH_CACHE_KEY = "batch_cache"
BATCH_REPEATS_KEY = "batch_repeats"
BATCH_EARLIER_KEY = "batch_earlier"
# The results grid's row (an index into its items) whose answers are shown whole below it.
BATCH_ITEM_KEY = "batch_item"
BATCH_GRID_KEY = "batch_grid"
# The judge's table of graded answers, and its row read whole below it.
JUDGE_GRID_KEY = "judge_items"
JUDGE_ITEM_KEY = "judge_item"
# The Batch page's scoring beyond the check (widgets): circular evaluation, the judge model, its
# rubric and whether it is shown the images, and the resolution sweep's kind, settings and
# metric; the sweep's points (a value).
BATCH_CIRCULAR_KEY = "batch_circular"
BATCH_JUDGE_KEY = "batch_judge"
BATCH_RUBRIC_KEY = "batch_rubric"
BATCH_JUDGE_IMAGES_KEY = "batch_judge_images"
BATCH_SWEEP_KIND_KEY = "batch_sweep_kind"
BATCH_SWEEP_VALUES_KEY = "batch_sweep_values"
BATCH_SWEEP_METRIC_KEY = "batch_sweep_metric"
BATCH_SWEEP_KEY = "_batch_sweep"

# The History page's one-off message.
HISTORY_FLASH_KEY = "_history_flash"
# What a reopened run could not put back (a file changed or gone), said once on the Playground.
REOPEN_NOTES_KEY = "_reopen_notes"
# The History page: the run shown in full, the table and its page, the runs on that page, and
# the run a Delete can still bring back.
HISTORY_RUN_KEY = "history_run"
HISTORY_TABLE_KEY = "history_table"
HISTORY_PAGINATION_KEY = "history_page"
HISTORY_PAGE_RUNS_KEY = "_history_page_runs"
HISTORY_UNDO_KEY = "_history_undo"
# Requests rebuilt for "Export and code", by run id, while that panel is open.
HISTORY_REBUILT_KEY = "_history_rebuilt"

# The Batch page's batch in the background, and whether the page watches it.
BATCH_KEY = "batch"
BATCH_WATCHING_KEY = "_batch_watching"
# The ids of this person's batches the Batch page last saw running elsewhere (another tab or
# replica, a worker): one that has ended since is opened to show its results.
BATCH_ELSEWHERE_KEY = "_batch_elsewhere"
# The newest kept batch a tab that started with none offers to open ("" once opened, dismissed
# or when there was none).
BATCH_OFFER_KEY = "_batch_offer"

# The Playground's Send clicks (a vision.chat.clicks.SendClicks: waiting, repeated, their run).
SEND_REQUESTED_KEY = "_send_requested"

# The model list of the session's backend.
CATALOG_KEY = "_catalog"

# The session's API client and the backend it was made for.
CLIENT_KEY = "_client"
# Per blind-vote panel (this prefix and the panel's key): the pair on screen and the last vote.
VOTES_KEY_PREFIX = "_votes_"

# The sidebar's widgets; the connection itself is a value kept apart (CONNECTION_KEY), since a
# page switch forgets widgets.
KEY_INPUT = "api_key_input"
USE_ECHO = "use_echo"
CONNECTION_KEY = "_connection"

# The signed-in person (vision.team.access.Person), set by the sign-in gate on every run.
PERSON_KEY = "_person"
# Whose sign-in (a workspace, or "denied") this session has written to the audit trail.
SIGNED_IN_KEY = "_signed_in"
# Whose key the session's backend uses ("team", "own" or "echo"), for the audit trail.
KEY_KIND_KEY = "_key_kind"

# What the last "Measure this model" learned, shown once.
PROBE_REPORT_KEY = "_probe_report"

# Values kept per session (see the functions below).
ATTACHMENTS_KEY = "_attachments"
PREPARATION_KEY = "_preparation"
STITCHED_KEY = "_stitched"


@dataclass(slots=True, kw_only=True)
class Connection:
    """Where this session sends requests: a key pasted for the session, and the echo toggle."""

    # Masked in the server's log while this session's state lives (vision/session_key.py).
    key: SessionKey = field(default_factory=SessionKey, repr=False)
    use_echo: bool | None = None  # None until the sidebar first decides

    @property
    def pasted_key(self) -> str:
        """The key pasted for this session, or ""."""
        return self.key.value


def kept(key: str, make: Callable[[], T]) -> T:
    """The session's value under `key`, made on first use."""
    if key not in st.session_state:
        st.session_state[key] = make()
    value: T = st.session_state[key]
    return value


def connection() -> Connection:
    """The session's connection choices, the same on every page."""
    return kept(CONNECTION_KEY, Connection)


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
