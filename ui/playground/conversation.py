"""The answers area: each model's conversation in its column, its earlier runs beneath."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.playground.column import REDRAW_INTERVAL_S, draw_column
from vision.api.catalog import compact_name
from vision.chat.conversation import Conversation, Exchange, earlier_runs
from vision.chat.live import Column
from vision.markdown import answer_markdown, clip, literal
from vision.values.run import Run

EARLIER_SHOWN = 5
EARLIER_HEIGHT_PX = 220
# Longer earlier answers scroll inside their card so the list stays compact.
EARLIER_SCROLL_CHARS = 600


def asked(prompt: str, image_names: Sequence[str]) -> str:
    """A prompt and its images as one escaped line."""
    count = len(image_names)
    names = ", ".join(literal(clip(name, 40)) for name in image_names)
    images = f"{count} image{'' if count == 1 else 's'}: {names}" if count else "no images"
    return f"“{literal(clip(prompt, 160))}” · {images}"


def _question(exchange: Exchange) -> None:
    st.markdown(f":material/person: **You:** {asked(exchange.prompt, exchange.image_names)}")


def _draw_live(
    exchange: Exchange,
    slots: Sequence[DeltaGenerator],
    drawn: list[tuple[Column, object] | None],
    *,
    follow_up: bool,
) -> bool:
    """Draw the latest exchange's answers into the slots; True once every model has finished."""
    assert exchange.live is not None
    snapshot = exchange.live.snapshot()
    for index, (slot, column) in enumerate(zip(slots, snapshot.columns, strict=True)):
        # Column equality leaves its error out, so the error is compared (by identity) beside it.
        if drawn[index] == (column, column.error):
            continue  # nothing new since the last redraw: nothing to send to the browser
        drawn[index] = (column, column.error)
        with slot.container():
            if follow_up:
                _question(exchange)
            draw_column(column, streaming=not snapshot.done, heading=False)
    return snapshot.done


def _earlier_card(run: Run) -> None:
    with st.container(border=True):
        images = len(run.images)
        if run.kind == "turn":
            what = "follow-up" + (
                f" with {images} new image{'' if images == 1 else 's'}" if images else ""
            )
        else:
            what = f"{images} image{'' if images == 1 else 's'}"
        st.caption(f"{run.created_at:%H:%M:%S} UTC · “{literal(clip(run.prompt, 80))}” · {what}")
        if run.error is not None:
            st.error(run.error, icon=":material/error:")
        else:
            long = len(run.answer) > EARLIER_SCROLL_CHARS
            with st.container(height=EARLIER_HEIGHT_PX if long else "content", border=False):
                st.markdown(answer_markdown(run.answer))
        facts = []
        if run.usage.total_tokens is not None:
            facts.append(f"{run.usage.total_tokens:,} tokens")
        if run.latency_s is not None:
            facts.append(f"{run.latency_s:.2f} s")
        if facts:
            st.caption(" · ".join(facts))


def draw_earlier(model: str, earlier: Sequence[Conversation]) -> None:
    """A model's answers in earlier conversations, newest first, a few of them."""
    runs = earlier_runs(model, earlier)
    if not runs:
        return
    st.caption(f":material/history: Earlier runs of {literal(compact_name(model))}")
    for run in runs[:EARLIER_SHOWN]:
        _earlier_card(run)
    if len(runs) > EARLIER_SHOWN:
        st.caption(f"{len(runs) - EARLIER_SHOWN} more on the History page.")


def show_conversation(conversation: Conversation, earlier: Sequence[Conversation]) -> None:
    """Draw every model's turns side by side and keep redrawing the latest until it finishes."""
    exchanges = conversation.exchanges
    st.caption(f"Asked: {asked(exchanges[0].prompt, exchanges[0].image_names)}")
    columns = st.columns(len(conversation.models), gap="medium")
    slots: list[DeltaGenerator] = []
    for index, (column, model) in enumerate(zip(columns, conversation.models, strict=True)):
        with column, st.container(border=True):
            st.markdown(f"##### {compact_name(model)}")
            for position, exchange in enumerate(exchanges[:-1]):
                if position:
                    _question(exchange)
                draw_column(exchange.columns()[index], streaming=False, heading=False)
                st.divider()
            slots.append(st.empty())
    latest = conversation.latest
    follow_up = len(exchanges) > 1
    drawn: list[tuple[Column, object] | None] = [None] * len(slots)
    while not _draw_live(latest, slots, drawn, follow_up=follow_up):
        assert latest.live is not None
        latest.live.wait(REDRAW_INTERVAL_S)
    assert latest.live is not None
    error = latest.live.snapshot().error
    if error is not None:
        st.error(str(error), icon=":material/error:")
    for column, model in zip(columns, conversation.models, strict=True):
        with column:
            draw_earlier(model, earlier)


def show_earlier(earlier: Sequence[Conversation]) -> None:
    """With no conversation on screen, the earlier runs of the last conversation's models."""
    if not earlier:
        return
    models = earlier[0].models
    for column, model in zip(st.columns(len(models), gap="medium"), models, strict=True):
        with column:
            draw_earlier(model, earlier)
