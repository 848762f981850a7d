"""One card per image: thumbnail, what it is, what each model will receive, or why it cannot go;
its actions (what the model sees, Remove) on a row of their own that wraps, never cut."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import streamlit as st

from ui.playground.preview import open_preview
from ui.shared.session import remove_image
from vision.api.catalog import compact_name
from vision.chat.preparation import ImageStatus
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.markdown import clip, literal
from vision.sizes import human_size
from vision.values.image import PreparedImage

__all__ = ["card_key", "draw_card", "draw_cards", "human_size"]

CARDS_PER_ROW = 3


def card_key(status: ImageStatus) -> str:
    """The card's container key (the page's style rules find cards by its prefix)."""
    return "card-" + hashlib.sha1(status.entry.id.encode(), usedforsecurity=False).hexdigest()[:12]


def _display_name(status: ImageStatus) -> str:
    return literal(clip(status.entry.label, 60))


def _original_line(image: PreparedImage) -> str:
    return (
        f"{image.original_format} · {image.original_width}×{image.original_height} · "
        f"{human_size(image.original_size_bytes)}"
    )


def _sent_line(model: str | None, image: PreparedImage) -> str:
    target = compact_name(model) if model else "Sent"
    how = "unchanged" if image.passed_through else f"{image.mime.split('/')[-1].upper()}"
    tokens = "" if image.estimated_tokens is None else f" · ≈{image.estimated_tokens:,} tokens"
    return (
        f"**{target}**: {image.width}×{image.height} {how} · {human_size(image.size_bytes)}{tokens}"
    )


def _sent_notes(status: ImageStatus) -> None:
    """How a URL image travels to each model: one line when every model gets the same."""
    notes = set(status.sent_notes.values())
    if len(notes) == 1:
        st.caption(f":material/send: {literal(notes.pop())}")
        return
    for model, note in status.sent_notes.items():
        st.caption(f":material/send: **{literal(compact_name(model))}**: {literal(note)}")


def _facts(status: ImageStatus) -> None:
    """Where it came from, what it is, what each model gets, and what that traded."""
    if status.entry.origin:
        st.caption(f":material/link: from {literal(status.entry.origin)}")
    first = next(iter(status.prepared.values()), None)
    if first is None:
        return
    st.caption(_original_line(first))
    for model, image in status.prepared.items():
        st.caption(_sent_line(model, image))
    notes = dict.fromkeys(note for image in status.prepared.values() for note in image.notes)
    for note in notes:
        st.caption(f":material/info: {literal(note)}")
    warnings = dict.fromkeys(w for image in status.prepared.values() for w in image.warnings)
    for warning in warnings:
        st.caption(f":orange[:material/warning: {literal(warning)}]")


def _actions(status: ImageStatus) -> None:
    """What the model sees and Remove, side by side while they fit, one under the other else."""
    with st.container(horizontal=True, gap="small"):
        if status.prepared and st.button(
            "What the model sees",
            key=f"preview:{status.entry.id}",
            icon=":material/zoom_in:",
            type="tertiary",
            help="The exact pixels each chosen model will receive, at 1:1, "
            "with the steps that made them.",
        ):
            open_preview(status)
        st.button(
            "Remove",  # the name a screen reader says (an icon alone read as "close icon")
            key=f"remove:{status.entry.id}",
            icon=":material/close:",
            type="tertiary",
            on_click=remove_image,
            args=(status.entry.id,),
            help="Remove this image.",
        )


def draw_card(status: ImageStatus) -> None:
    """The card of one image."""
    with st.container(border=True, key=card_key(status)):
        st.markdown(f"**{status.position}.** {_display_name(status)}")
        # wrap=False: a card stays thumbnail-beside-facts on a phone too.
        picture, facts = st.columns([1, 3], gap="small", vertical_alignment="top", wrap=False)
        with picture:
            if status.thumbnail is not None:
                # A data URL made once: the browser fits it to the column, and Streamlit
                # neither opens nor re-encodes it on a rerun.
                st.image(
                    status.thumbnail, width="stretch", alt=f"Thumbnail of {status.entry.label}"
                )
            elif status.entry.kind == "url" and status.sendable:
                st.markdown(":material/link:")
            else:
                st.markdown(":material/broken_image:")
        with facts:
            _facts(status)
            if status.note:
                st.caption(f":material/info: {status.note}")
        # The card's whole width: a sentence in the facts column wrapped a word a line.
        if status.over_limit:
            st.error(
                f"Over the limit: a request takes at most {MAX_IMAGES_PER_REQUEST} images, "
                "so this one will not be sent. Remove an image to make room.",
                icon=":material/block:",
            )
        elif status.error:
            st.error(status.error, icon=":material/block:")
        _sent_notes(status)
        _actions(status)


def draw_cards(statuses: Sequence[ImageStatus]) -> None:
    """Every image's card, and one message when there are more images than a request takes."""
    extra = sum(1 for status in statuses if status.over_limit)
    if extra > 0:
        st.error(
            f"{len(statuses)} images added, but a request takes at most "
            f"{MAX_IMAGES_PER_REQUEST}: remove {extra} to send (the extra ones are marked below).",
            icon=":material/block:",
        )
    # A grid: the page's width holds several cards side by side (a phone stacks them).
    for row in range(0, len(statuses), CARDS_PER_ROW):
        cells = st.columns(CARDS_PER_ROW, gap="small")
        for cell, status in zip(cells, statuses[row : row + CARDS_PER_ROW], strict=False):
            with cell:
                draw_card(status)
