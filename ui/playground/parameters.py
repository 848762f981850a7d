"""System prompt, temperature and max tokens: close at hand in a popover, out of the way."""

from __future__ import annotations

import streamlit as st

from vision.api.request import DEFAULT_SYSTEM_PROMPT, RequestOptions
from vision.images.profiles import (
    DEFAULT_QWEN_TOKEN_BUDGET,
    MAX_QWEN_TOKEN_BUDGET,
    MIN_QWEN_TOKEN_BUDGET,
)
from vision.urls.sending import DEFAULT_URL_MODE, URL_MODES, URLMode

DEFAULT_TEMPERATURE = 0.7
DEFAULT_MAX_TOKENS = 1024


def choose_parameters() -> tuple[RequestOptions, int]:
    """The parameters popover: the request options, and the Qwen token budget per image."""
    with st.popover("Parameters", icon=":material/tune:", key="parameters", width="stretch"):
        system = st.text_area(
            "System prompt",
            value=DEFAULT_SYSTEM_PROMPT,
            key="system_prompt",
            height=90,
            persist_state="session",
        )
        temperature = st.slider(
            "Temperature",
            0.0,
            2.0,
            DEFAULT_TEMPERATURE,
            0.05,
            key="temperature",
            help="Lower is more deterministic; higher is more varied.",
            persist_state="session",
        )
        max_tokens = st.number_input(
            "Max tokens",
            16,
            16_384,
            DEFAULT_MAX_TOKENS,
            64,
            key="max_tokens",
            help="The longest answer each model may write; an answer that reaches it is flagged.",
            persist_state="session",
        )
        qwen_budget = st.number_input(
            "Qwen token budget per image",
            MIN_QWEN_TOKEN_BUDGET,
            MAX_QWEN_TOKEN_BUDGET,
            DEFAULT_QWEN_TOKEN_BUDGET,
            256,
            key="qwen_token_budget",
            help="Qwen2-VL reads an image as one token per 28×28 pixels: images are resized to "
            "at most this many tokens. More keeps finer detail (small text) and costs more.",
            persist_state="session",
        )
    options = RequestOptions(
        system=system or None, temperature=float(temperature), max_tokens=int(max_tokens)
    )
    return options, int(qwen_budget)


URL_MODE_LABELS: dict[URLMode, str] = {
    "check": "Check, then send as is when within limits",
    "inline": "Always fetch and send inline",
    "as_is": "Send the URL as is without checking",
}


def choose_url_mode() -> URLMode:
    """How URL images travel (key "url_mode"); the default checks each one first."""
    mode: URLMode | None = st.selectbox(
        "URL images",
        URL_MODES,
        index=URL_MODES.index(DEFAULT_URL_MODE),
        format_func=lambda mode: URL_MODE_LABELS[mode],
        key="url_mode",
        help="Checked: fetched safely here; the link itself is sent when the image already meets "
        "every limit for the model, the prepared version otherwise. Inline: always the prepared "
        "version. As is: the provider fetches the link; nothing is checked here.",
        persist_state="session",
    )
    return mode or DEFAULT_URL_MODE
