"""One model's answer in its column: its heading and actions (Stop while it streams, Copy and
Regenerate once it is in), the text as it streams, then usage, timings and warnings."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.playground.browser import copy_button
from vision.api.catalog import compact_name
from vision.chat.live import Column
from vision.chat.preflight import usage_warning
from vision.markdown import answer_markdown, literal
from vision.values.result import STOPPED, ChatResult
from vision.values.run import Run

CURSOR = " ▍"


def _count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def cut_short_reason(result: ChatResult) -> str | None:
    """Why an answer is incomplete, as a sentence, or None when it ended normally (or was
    stopped by the person, which is said apart)."""
    if result.finish_reason == STOPPED:
        return None
    if result.truncated_by_length:
        return (
            "Cut short: the answer reached the max-tokens limit. "
            "Raise Max tokens under Parameters to let it finish."
        )
    if not result.complete:
        detail = f" ({result.incomplete_reason})" if result.incomplete_reason else ""
        return f"Cut short: the stream ended before the answer was complete{detail}."
    return None


def usage_line(result: ChatResult) -> str:
    """Tokens, timings and finish reason as one wrapped row of badges; a reasoning model's
    completion split into reasoning and answer, and its first answer token beside its first."""
    usage = result.usage
    speed = result.tokens_per_second
    badges = [
        f":gray-badge[:material/input: {_count(usage.prompt_tokens)} prompt]",
        f":gray-badge[:material/output: {_count(usage.completion_tokens)} completion]",
    ]
    if usage.reasoning_tokens:
        badges += [
            f":violet-badge[:material/psychology: {_count(usage.reasoning_tokens)} reasoning]",
            f":gray-badge[:material/chat: {_count(usage.answer_tokens)} answer]",
        ]
    badges += [
        f":gray-badge[:material/functions: {_count(usage.total_tokens)} total tokens]",
        f":gray-badge[:material/timer: {_seconds(result.latency_s)}]",
        f":gray-badge[:material/bolt: first token {_seconds(result.ttft_s)}]",
    ]
    if result.reasoning and result.answer_ttft_s is not None:
        badges.append(
            f":gray-badge[:material/chat: first answer token {_seconds(result.answer_ttft_s)}]"
        )
    badges.append(
        f":gray-badge[:material/speed: {'–' if speed is None else f'{speed:,.1f}'} tok/s]"
    )
    finish = result.finish_reason or "not given"
    colour = "green" if finish == "stop" and result.complete else "orange"
    badges.append(f":{colour}-badge[finish: {finish}]")
    return " ".join(badges)


def draw_heading(column: Column) -> None:
    """The model's name, and what its request carries when the model gets several."""
    st.markdown(f"##### {compact_name(column.model)}")
    if column.label:
        st.caption(f":material/label: {literal(column.label)}")


def draw_actions(
    column: Column,
    *,
    key: str,
    running: bool,
    stop: Callable[[], None],
    regenerate: Callable[[], None] | None,
) -> None:
    """Stop while the answer streams; Copy and Regenerate once it is in."""
    with st.container(horizontal=True, gap="small", key=f"actions-{key}"):
        if running and not column.finished:
            st.button(
                "Stop",
                key=f"stop-one-{key}",
                icon=":material/stop_circle:",
                type="tertiary",
                on_click=stop,
                help="Stop this model: what it has said so far is kept, saved as stopped.",
            )
            return
        if column.text:
            copy_button(column.text, key=f"copy-{key}")
        if regenerate is not None and not running:
            st.button(
                "Regenerate",
                key=f"again-{key}",
                icon=":material/refresh:",
                type="tertiary",
                on_click=regenerate,
                help="Ask this model the same again; the other answers stay.",
            )


def _reasoning(column: Column, *, thinking: bool, key: str | None) -> None:
    """A reasoning model's thinking: shown as it streams until the answer starts, then folded
    under the answer (open on click), with its token count once the server gives it."""
    if thinking:
        st.caption(":material/psychology: Reasoning… (the answer follows)")
        with st.container(border=True, key=f"thinking-{key}" if key else None):
            st.markdown(answer_markdown(column.reasoning) + CURSOR)
        return
    tokens = column.reasoning_tokens
    counted = f" · {tokens:,} tokens" if tokens else ""
    with st.expander(
        f"Reasoning{counted}", icon=":material/psychology:", key=f"reasoning-{key}" if key else None
    ):
        st.markdown(answer_markdown(column.reasoning))


def draw_answer(
    column: Column, *, streaming: bool, saved: Run | None = None, key: str | None = None
) -> None:
    """The answer so far (with a cursor while it streams), a reasoning model's reasoning (as it
    streams, then folded under the answer), then its usage or error."""
    if column.error is not None:
        st.error(str(column.error), icon=":material/error:")
    running = streaming and not column.finished
    thinking = running and bool(column.reasoning) and not column.answering
    if thinking:
        _reasoning(column, thinking=True, key=key)
    if column.text:
        cursor = CURSOR if running else ""
        st.markdown(answer_markdown(column.text) + cursor)
    elif running and not thinking:
        st.caption("Waiting for the first token…")
    if column.reasoning and not thinking:
        _reasoning(column, thinking=False, key=key)
    result = column.result
    if result is None:
        return
    if result.finish_reason == STOPPED:
        st.caption(
            ":material/stop_circle: Stopped as you asked: what had arrived is kept, "
            "saved as stopped."
        )
    reason = cut_short_reason(result)
    if reason:
        st.warning(reason, icon=":material/content_cut:")
    st.markdown(usage_line(result))
    missing = usage_warning(column.image_tokens, result.usage.prompt_tokens, model=column.model)
    if missing:
        st.warning(missing, icon=":material/hide_image:")
    served = f"Served by {result.model}"
    if saved is not None and saved.id:
        served += f" · saved as run {saved.id}"
    st.caption(served)
