"""What each model will receive: the exact prepared pixels at 1:1, with how they were made."""

from __future__ import annotations

import streamlit as st

from vision.api.catalog import compact_name
from vision.chat.preparation import ImageStatus
from vision.markdown import clip, literal
from vision.sizes import human_size
from vision.values.image import PreparedImage

# Room for the dialog's padding around the widest picture.
DIALOG_MARGIN_PX = 64


def _output_format(image: PreparedImage) -> str:
    # Streamlit re-encodes anything that is not already JPEG as "auto" sees it; JPEG bytes go
    # out untouched and everything else as lossless PNG, so the pixels shown are those sent.
    return "JPEG" if image.mime == "image/jpeg" else "PNG"


def draw_sent_version(model: str | None, image: PreparedImage) -> None:
    """One model's version: its facts, the steps that made it, and the pixels at 1:1."""
    name = compact_name(model) if model else "Any model"
    st.markdown(f"**{literal(name)}**: {image.width}×{image.height} px")
    tokens = "" if image.estimated_tokens is None else f" · ≈{image.estimated_tokens:,} tokens"
    st.caption(
        f"{image.mime} · {human_size(image.size_bytes)} · "
        f"{human_size(image.base64_size)} as base64{tokens}"
    )
    st.caption(" → ".join(literal(step) for step in image.steps) or "sent as it is")
    st.image(image.data, width=image.width, output_format=_output_format(image))  # type: ignore[arg-type]


def open_preview(status: ImageStatus) -> None:
    """A dialog as wide as the largest version, each model's version shown pixel for pixel."""
    widest = max((image.width for image in status.prepared.values()), default=0)
    title = f"What the model sees: {clip(status.entry.label, 40)}"

    @st.dialog(title, width=max(widest + DIALOG_MARGIN_PX, 500))
    def preview() -> None:
        st.caption(
            "Shown at 1:1, one screen pixel per image pixel (your screen may scale it); "
            "these are the bytes each model receives."
        )
        for model, image in status.prepared.items():
            with st.container(border=True):
                draw_sent_version(model, image)

    preview()


def open_grid(model: str, grid: PreparedImage) -> None:
    """The stitched grid a model will receive, pixel for pixel, before anything is sent."""

    @st.dialog(f"What {compact_name(model)} sees: one labelled grid", width=grid.width + 64)
    def preview() -> None:
        st.caption(
            "Every image in one picture, each under its number and name: this grid is what "
            "the model receives, at 1:1."
        )
        draw_sent_version(model, grid)

    preview()
