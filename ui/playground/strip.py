"""Once answers are on screen the image cards give way to a strip of thumbnails, so the answers
are in view; a thumbnail clicked shows its image large, and the cards come back on demand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import streamlit as st

from ui.playground.browser import StripImage, thumbnail_strip
from ui.shared.session import CARDS_OPEN_KEY
from vision.api.catalog import compact_name
from vision.chat.preparation import ImageStatus
from vision.markdown import clip, literal
from vision.values.image import PreparedImage


def _largest(status: ImageStatus) -> tuple[str | None, PreparedImage] | None:
    """The biggest version any chosen model receives (what a person can look at here)."""
    if not status.prepared:
        return None
    return max(status.prepared.items(), key=lambda item: item[1].width * item[1].height)


def open_large(status: ImageStatus) -> None:
    """A dialog showing one image as large as the window allows."""

    @st.dialog(f"{status.position}. {clip(status.entry.label, 60)}", width="large")
    def large() -> None:
        largest = _largest(status)
        if largest is None:
            st.caption(
                f":material/link: {literal(status.entry.name)}: sent as a link, so there are "
                "no pixels here to show."
            )
            return
        model, prepared = largest
        fmt: Literal["JPEG", "PNG"] = "JPEG" if prepared.mime == "image/jpeg" else "PNG"
        st.image(prepared.data, width="stretch", output_format=fmt)
        who = compact_name(model) if model else "any model"
        st.caption(
            f"{prepared.width}×{prepared.height}, as {literal(who)} receives it "
            f"(the original is {prepared.original_width}×{prepared.original_height})."
        )

    large()


def draw_strip(statuses: Sequence[ImageStatus]) -> bool:
    """The question's images as thumbnails, and the switch back to their cards; True when the
    person asked for the cards."""
    images = [
        StripImage(
            src=status.thumbnail or "", label=f"{status.position}. {clip(status.entry.label, 40)}"
        )
        for status in statuses
    ]
    strip, switch = st.columns([5, 2], vertical_alignment="center")
    with strip:
        opened = thumbnail_strip(images, key="thumbnails")
        names = " · ".join(
            f"**{status.position}.** {literal(clip(status.entry.label, 40))}" for status in statuses
        )
        st.caption(f"{names} · click a thumbnail to see it large")
    with switch:
        show = st.toggle(
            "Image details",
            key=CARDS_OPEN_KEY,
            help="Show each image's card again: what each model receives, Remove.",
        )
    if opened is not None and 0 <= opened < len(statuses):
        open_large(statuses[opened])
    return show
