"""System prompt, temperature, max tokens and the reasoning effort: close at hand in a popover,
out of the way."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.shared.session import (
    MAX_TOKENS_KEY,
    QWEN_BUDGET_KEY,
    REASONING_EFFORT_KEY,
    SYSTEM_KEY,
    TEMPERATURE_KEY,
)
from vision.api.catalog import Catalog, short_name
from vision.api.reasoning import choose_reasoning, reasoning_models
from vision.images.profiles import (
    DEFAULT_QWEN_TOKEN_BUDGET,
    MAX_QWEN_TOKEN_BUDGET,
    MIN_QWEN_TOKEN_BUDGET,
)
from vision.urls.sending import DEFAULT_URL_MODE, URL_MODES, URLMode
from vision.values.request import (
    DEFAULT_SYSTEM_PROMPT,
    EFFORTS,
    MAX_TEMPERATURE,
    MIN_TEMPERATURE,
    Reasoning,
    RequestOptions,
    effort_named,
)

DEFAULT_TEMPERATURE = 0.7
DEFAULT_MAX_TOKENS = 1024
# The effort choice's first option: nothing sent, each model thinks as it does by default.
MODEL_DEFAULT = "default"
EFFORT_LABELS = {
    MODEL_DEFAULT: "Model's default (not sent)",
    "none": "None: answer without reasoning",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
}


def choose_effort(key: str, models: Sequence[str], catalog: Catalog | None) -> Reasoning | None:
    """The reasoning effort, offered only when a chosen model reasons; the models that do not
    are named in a sentence under it."""
    infos = {model: catalog.info(model) for model in models} if catalog is not None else None
    reasoning = reasoning_models(models, infos)
    if not reasoning:
        return None
    choice: str = st.selectbox(
        "Reasoning effort",
        [MODEL_DEFAULT, *EFFORTS],
        key=key,
        format_func=EFFORT_LABELS.__getitem__,
        help=f"How long {', '.join(map(short_name, reasoning))} may think before answering: "
        "more effort usually means better answers to hard questions, and more (paid) "
        "completion tokens (Max tokens counts the reasoning too). Sent only to models that "
        "reason.",
        persist_state="session",
    )
    chosen = choose_reasoning(effort_named(choice), models, infos)
    if chosen is not None and chosen.notice:
        st.caption(f":material/info: {chosen.notice}")
    return chosen


def choose_parameters(
    prefix: str = "", *, models: Sequence[str] = (), catalog: Catalog | None = None
) -> tuple[RequestOptions, int]:
    """The parameters popover: the request options (with a reasoning effort when one of
    `models` reasons), and the Qwen token budget per image."""
    # Defaults go in the session first and the widgets take no value of their own: a reopened
    # run sets these keys, and a widget given both would warn and may drop the reopened value.
    # Each page has its own (the Batch page's keys carry a prefix).
    system_key, temperature_key, max_tokens_key, budget_key, effort_key = (
        prefix + key
        for key in (
            SYSTEM_KEY,
            TEMPERATURE_KEY,
            MAX_TOKENS_KEY,
            QWEN_BUDGET_KEY,
            REASONING_EFFORT_KEY,
        )
    )
    for key, default in (
        (system_key, DEFAULT_SYSTEM_PROMPT),
        (temperature_key, DEFAULT_TEMPERATURE),
        (max_tokens_key, DEFAULT_MAX_TOKENS),
        (budget_key, DEFAULT_QWEN_TOKEN_BUDGET),
        (effort_key, MODEL_DEFAULT),
    ):
        st.session_state.setdefault(key, default)
    with st.popover(
        "Parameters", icon=":material/tune:", key=f"{prefix}parameters", width="stretch"
    ):
        system = st.text_area("System prompt", key=system_key, height=90, persist_state="session")
        temperature = st.slider(
            "Temperature",
            MIN_TEMPERATURE,
            MAX_TEMPERATURE,
            step=0.05,
            key=temperature_key,
            help="Lower is more deterministic; higher is more varied.",
            persist_state="session",
        )
        max_tokens = st.number_input(
            "Max tokens",
            16,
            16_384,
            step=64,
            key=max_tokens_key,
            help="The longest answer each model may write; an answer that reaches it is flagged.",
            persist_state="session",
        )
        reasoning = choose_effort(effort_key, models, catalog)
        qwen_budget = st.number_input(
            "Token budget per image (grid models)",
            MIN_QWEN_TOKEN_BUDGET,
            MAX_QWEN_TOKEN_BUDGET,
            step=256,
            key=budget_key,
            help="Qwen, GLM and Kimi models read an image as one token per grid cell: images "
            "are resized to at most this many tokens. More keeps finer detail (small text) and "
            "costs more.",
            persist_state="session",
        )
    options = RequestOptions(
        system=system or None,
        temperature=float(temperature),
        max_tokens=int(max_tokens),
        reasoning=reasoning,
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
