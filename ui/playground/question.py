"""What the models are asked: a free prompt (Ask), or where something is in the image (Locate),
each model then asked in its family's own words and its answer's boxes drawn on the photo."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.shared.session import ASK_MODE_KEY, LOCATE_KIND_KEY, LOCATE_TARGET_KEY, PROMPT_KEY
from vision.values.grounding import GroundingTask, LocateTask
from vision.values.request import DEFAULT_PROMPT

ASK, LOCATE = "Ask", "Locate"
KINDS = {"box": "Boxes", "point": "Points"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Asking:
    """The question as the person put it: a prompt, or what to locate."""

    prompt: str
    locate: LocateTask | None = None

    @property
    def checked_text(self) -> str:
        """What Send's "write a prompt" check reads (Locate says its own sentences)."""
        return self.locate.target or LOCATE if self.locate is not None else self.prompt


def choose_question() -> Asking:
    """The way of asking, then the prompt or what to find."""
    # Seeded, not given as values: a reopened run sets these keys before the page draws.
    st.session_state.setdefault(ASK_MODE_KEY, ASK)
    st.session_state.setdefault(PROMPT_KEY, DEFAULT_PROMPT)
    st.session_state.setdefault(LOCATE_KIND_KEY, "box")
    mode = st.segmented_control(
        "Way of asking",
        [ASK, LOCATE],
        key=ASK_MODE_KEY,
        required=True,
        label_visibility="collapsed",
        help="Ask: a question in your words. Locate: where something is; each model is asked "
        "in its own family's way, and its boxes are drawn on your photo.",
        persist_state="session",
    )
    if mode != LOCATE:
        prompt = st.text_area("Prompt", key=PROMPT_KEY, height=90, persist_state="session")
        return Asking(prompt=prompt or "")
    target, kind = st.columns([4, 2], vertical_alignment="bottom")
    with target:
        wanted = st.text_input(
            "What to find",
            key=LOCATE_TARGET_KEY,
            placeholder="every car, the red cup, the total on this receipt",
            persist_state="session",
        )
    with kind:
        chosen = st.segmented_control(
            "As",
            list(KINDS),
            key=LOCATE_KIND_KEY,
            format_func=KINDS.__getitem__,
            required=True,
            persist_state="session",
        )
    task: GroundingTask = "point" if chosen == "point" else "box"
    return Asking(prompt="", locate=LocateTask(task=task, target=wanted or ""))
