"""The answers side by side: one column per model, streaming text, then usage and timings."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.live_run import Column, LiveRun, RunSnapshot
from ui.text import answer_markdown, clip, literal
from vision import ChatResult
from vision.preflight import usage_warning

# How often the page redraws a streaming answer: smooth to the eye, light on the websocket.
REDRAW_INTERVAL_S = 0.08
CURSOR = " ▍"


def short_name(model: str) -> str:
    """The model id without its organisation prefix."""
    return model.rsplit("/", 1)[-1]


def compact_name(model: str) -> str:
    """The short name without the "-Instruct" suffix, for tight spaces such as image cards."""
    return short_name(model).removesuffix("-Instruct")


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


def _draw_snapshot(snapshot: RunSnapshot, slots: list[DeltaGenerator]) -> None:
    for slot, column in zip(slots, snapshot.columns, strict=True):
        with slot.container(border=True):
            draw_column(column, streaming=not snapshot.done)


def show_run(run: LiveRun) -> None:
    """Draw a run's columns; while it streams, keep redrawing until every model has finished."""
    snapshot = run.snapshot()
    count = len(run.image_names)
    shown = ", ".join(literal(clip(name, 40)) for name in run.image_names)
    images = f"{count} image{'' if count == 1 else 's'}: {shown}" if count else "no images"
    st.caption(f"Asked: “{literal(clip(run.prompt, 160))}” · {images}")
    columns = st.columns(len(snapshot.columns), gap="medium")
    slots = [column.empty() for column in columns]
    _draw_snapshot(snapshot, slots)
    while not snapshot.done:
        run.wait(REDRAW_INTERVAL_S)
        snapshot = run.snapshot()
        _draw_snapshot(snapshot, slots)
    if snapshot.error is not None:
        st.error(str(snapshot.error), icon=":material/error:")
