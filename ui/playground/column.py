"""One model's answer in its column: streaming text, then usage, timings and warnings."""

from __future__ import annotations

import streamlit as st

from vision.api.catalog import compact_name
from vision.chat.live import Column
from vision.chat.preflight import usage_warning
from vision.markdown import answer_markdown, literal
from vision.values.result import ChatResult

# How often the page redraws a streaming answer: about seven times a second still reads as
# streaming. Each redraw sends the answer so far and the browser lays it out again; with many
# people at once the browsers' share is what slows answers down (bench/load_bench.py).
REDRAW_INTERVAL_S = 0.15
CURSOR = " ▍"


def _count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def cut_short_reason(result: ChatResult) -> str | None:
    """Why an answer is incomplete, as a sentence, or None when it ended normally."""
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
    """Tokens, timings and finish reason as one wrapped row of badges."""
    usage = result.usage
    speed = result.tokens_per_second
    badges = [
        f":gray-badge[:material/input: {_count(usage.prompt_tokens)} prompt]",
        f":gray-badge[:material/output: {_count(usage.completion_tokens)} completion]",
        f":gray-badge[:material/functions: {_count(usage.total_tokens)} total tokens]",
        f":gray-badge[:material/timer: {_seconds(result.latency_s)}]",
        f":gray-badge[:material/bolt: first token {_seconds(result.ttft_s)}]",
        f":gray-badge[:material/speed: {'–' if speed is None else f'{speed:,.1f}'} tok/s]",
    ]
    finish = result.finish_reason or "not given"
    colour = "green" if finish == "stop" and result.complete else "orange"
    badges.append(f":{colour}-badge[finish: {finish}]")
    return " ".join(badges)


def draw_column(column: Column, *, streaming: bool, heading: bool = True) -> None:
    """One model's answer: heading, text (with a cursor while streaming), usage or error."""
    if heading:
        st.markdown(f"##### {compact_name(column.model)}")
    if column.label:
        st.caption(f":material/image: {literal(column.label)}")
    if column.error is not None:
        st.error(str(column.error), icon=":material/error:")
    if column.text:
        cursor = CURSOR if streaming and not column.finished else ""
        st.markdown(answer_markdown(column.text) + cursor)
    elif streaming and not column.finished:
        st.caption("Waiting for the first token…")
    if column.result is not None:
        reason = cut_short_reason(column.result)
        if reason:
            st.warning(reason, icon=":material/content_cut:")
        st.markdown(usage_line(column.result))
        missing = usage_warning(
            column.image_tokens, column.result.usage.prompt_tokens, model=column.model
        )
        if missing:
            st.warning(missing, icon=":material/hide_image:")
        st.caption(f"Served by {column.result.model}")
