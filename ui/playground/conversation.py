"""The answers area's parts: each model's column (its turns, the newest answer's place and
actions, the boxes drawn), and the earlier answers of this page, folded away beneath."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.playground.boxes import draw_boxes
from ui.playground.column import draw_actions, draw_answer, draw_heading
from vision.api.catalog import compact_name
from vision.chat.conversation import Conversation, Exchange, earlier_runs
from vision.markdown import answer_markdown, clip, literal
from vision.values.run import Run

EARLIER_SHOWN = 5
EARLIER_HEIGHT_PX = 220
# Longer earlier answers scroll inside their card so the list stays compact.
EARLIER_SCROLL_CHARS = 600

# What a column's buttons do: stop it, or ask it again (None where that cannot be).
ColumnAction = Callable[[int], Callable[[], None] | None]


def asked(prompt: str, image_names: Sequence[str]) -> str:
    """A prompt and its images as one escaped line."""
    count = len(image_names)
    names = ", ".join(literal(clip(name, 40)) for name in image_names)
    images = f"{count} image{'' if count == 1 else 's'}: {names}" if count else "no images"
    return f"“{literal(clip(prompt, 160))}” · {images}"


def _question(exchange: Exchange) -> None:
    st.markdown(f":material/person: **You:** {asked(exchange.prompt, exchange.image_names)}")


def draw_columns(
    conversation: Conversation,
    *,
    running: bool,
    stop: ColumnAction,
    regenerate: ColumnAction,
) -> list[DeltaGenerator]:
    """Every model's column side by side; returns, per column, the place where the newest
    answer is drawn (and redrawn while it streams)."""
    exchanges = conversation.exchanges
    latest = conversation.latest
    newest = latest.columns()
    slots: list[DeltaGenerator] = []
    places = st.columns(len(conversation.models), gap="medium")
    for index, place in enumerate(places):
        with place, st.container(border=True):
            column = newest[index]
            draw_heading(column)
            draw_actions(
                column,
                key=f"{latest.id}-{index}",
                running=running,
                stop=stop(index) or (lambda: None),
                regenerate=regenerate(index),
            )
            for position, exchange in enumerate(exchanges[:-1]):
                if position:
                    _question(exchange)
                saved = dict(exchange.indexed_runs()).get(index)
                draw_answer(exchange.columns()[index], streaming=False, saved=saved)
                st.divider()
            if len(exchanges) > 1:
                _question(latest)
            slots.append(st.container())
            if not running and column.finished and column.error is None:
                draw_boxes(latest, index, column.text)
    return slots


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


def show_earlier(models: Sequence[str], earlier: Sequence[Conversation]) -> None:
    """This page's earlier answers of these models, folded beneath the answers on screen."""
    shown = [model for model in models if earlier_runs(model, earlier)]
    if not shown:
        return
    count = sum(len(conversation.runs()) for conversation in earlier)
    with st.expander(f"Earlier answers on this page ({count})", icon=":material/history:"):
        for place, model in zip(st.columns(len(shown), gap="medium"), shown, strict=True):
            with place:
                draw_earlier(model, earlier)
