"""The boxes and points of an answer, drawn, labelled, over the original photo (a switch per
model; each model's column shows the same picture at the same size), with a list of each one's
label and coordinates in the original's pixels; what could not be read or falls outside the
picture is said plainly."""

from __future__ import annotations

import hashlib

import streamlit as st

from ui.shared.session import DRAWN_KEY
from vision.api.catalog import compact_name
from vision.chat.conversation import Exchange
from vision.errors import ImageError
from vision.grounding.reading import drawn_on, read_sent
from vision.images.drawing import Mark, draw_marks
from vision.markdown import clip, literal
from vision.values.grounding import Box, Located

# The drawn picture's longest side: sharp in a column, small to send.
DRAWN_SIDE = 640
# Drawings kept per session (each a JPEG of at most DRAWN_SIDE a side).
DRAWN_KEPT = 24


def _coordinates(item: Located) -> str:
    numbers = ", ".join(f"{value:.0f}" for value in item.shape.as_list())
    if isinstance(item.shape, Box):
        return f"box [{numbers}]"
    return f"point ({numbers})"


def _line(number: int, item: Located, pictures: int) -> str:
    label = literal(clip(item.label or "(no label)", 60))
    line = f"{number}. **{label}**: {_coordinates(item)} px"
    if pictures > 1:
        line += f" on picture {item.image + 1}"
    if item.clipped:
        line += " · :orange[partly outside the picture, drawn to its edge]"
    if item.note:
        line += f" · {literal(item.note)}"
    return line


def _drawn(key: tuple[str, ...], original: bytes, marks: list[Mark]) -> bytes:
    """The drawing, made once per answer and picture in this session."""
    drawings: dict[tuple[str, ...], bytes] = st.session_state.setdefault(DRAWN_KEY, {})
    if key not in drawings:
        if len(drawings) >= DRAWN_KEPT:
            drawings.pop(next(iter(drawings)))
        drawings[key] = draw_marks(original, marks, fmt="JPEG", max_side=DRAWN_SIDE)
    return drawings[key]


def draw_boxes(exchange: Exchange, index: int, text: str) -> None:
    """Under a finished answer: its boxes and points drawn over the original, and listed."""
    kept = exchange.kept(index)
    answer = read_sent(
        text,
        [image.prepared for image in exchange.images_for(index)],
        model=exchange.models[index],
        frame=kept.frame if kept is not None else None,
    )
    asked = exchange.context.locate is not None
    if answer is None or not (answer.located or answer.problems or asked):
        return
    model = exchange.models[index]
    if not answer.located:
        st.caption(":material/crop_free: No box or point of this answer can be drawn on the photo.")
    pictures = drawn_on(exchange.images_for(index), exchange.attached_for(index))
    if answer.located and st.toggle(
        "Boxes on the photo",
        value=True,
        key=f"boxes-{exchange.id}-{index}",
        help="Each box and point this model gave, taken back to the original photo.",
    ):
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        for picture, image in enumerate(pictures):
            marks = [
                Mark(shape=item.shape, label=item.label or "", clipped=item.clipped)
                for item in answer.located
                if item.image == picture
            ]
            if not marks or image.original is None:
                continue
            try:
                drawing = _drawn(
                    (exchange.id, str(index), str(picture), digest), image.original, marks
                )
            except ImageError as err:
                st.caption(f":orange[The photo cannot be drawn on: {literal(str(err))}]")
                continue
            st.image(
                drawing,
                width="stretch",
                alt=f"{compact_name(model)}'s boxes on {image.name}",
            )
    for number, item in enumerate(answer.located, start=1):
        st.caption(_line(number, item, len(pictures)))
    for problem in answer.problems:
        st.caption(f":orange[:material/warning: {literal(problem)}]")
    if answer.located:
        st.caption(
            f"In the original's pixels ({answer.frame.name} as the model wrote them: "
            f"{literal(answer.frame.description)})."
        )
