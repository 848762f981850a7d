"""Each family's way of locating: the prompt style it was trained on and the frame its numbers
are in. The frame belongs to the family (docs/grounding.md has each one's source), can be
overridden per model, and is never guessed from an answer's numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from vision.errors import RequestError
from vision.images.families import family_of
from vision.values.grounding import Frame

# How a family is asked, and in what shape it answers (asking.py writes each prompt).
PromptStyle = Literal["qwen2vl", "qwen25vl", "qwen3vl", "glm4v", "stated"]

REL1000 = Frame(
    name="rel1000",
    scale=1000,
    space="image",
    description="thousandths of the image's width and height (0–1000)",
)
REL999 = Frame(
    name="rel999",
    scale=999,
    space="image",
    description="the image's width and height as 0–999",
)
REL1 = Frame(
    name="rel1",
    scale=1,
    space="image",
    description="fractions of the image's width and height (0–1)",
)
INPUT_PIXELS = Frame(
    name="input-pixels",
    scale=None,
    space="input",
    description="pixels of the image the model's processor made of what was sent",
)
SENT_PIXELS = Frame(
    name="sent-pixels",
    scale=None,
    space="sent",
    description="pixels of the image as it was sent",
)
INPUT_REL1000 = Frame(
    name="input-rel1000",
    scale=1000,
    space="input",
    description="thousandths of the model's whole input canvas, padding included",
)
FRAMES: dict[str, Frame] = {
    frame.name: frame for frame in (REL1000, REL999, REL1, INPUT_PIXELS, SENT_PIXELS, INPUT_REL1000)
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Convention:
    """How one family is asked to locate, and the frame its answers are in."""

    family: str
    style: PromptStyle
    frame: Frame
    documented: bool
    source: str


# Keyed by the family names of vision/images/families.py.
CONVENTIONS: dict[str, Convention] = {
    "Qwen2-VL": Convention(
        family="Qwen2-VL",
        style="qwen2vl",
        frame=REL1000,
        documented=True,
        source="arXiv 2409.12191 §2; modelscope/ms-swift swift/llm/template/template/qwen.py",
    ),
    "Qwen2.5-VL": Convention(
        family="Qwen2.5-VL",
        style="qwen25vl",
        frame=INPUT_PIXELS,
        documented=True,
        source="QwenLM/Qwen2.5-VL README.md and cookbooks/spatial_understanding.ipynb",
    ),
    "Qwen3-VL": Convention(
        family="Qwen3-VL",
        style="qwen3vl",
        frame=REL1000,
        documented=True,
        source="QwenLM/Qwen3-VL cookbooks/2d_grounding.ipynb and spatial_understanding.ipynb",
    ),
    "GLM-4.xV": Convention(
        family="GLM-4.xV",
        style="glm4v",
        frame=REL1000,
        documented=True,
        source="zai-org/GLM-V README.md, Grounding",
    ),
    "Llama 3.2 Vision": Convention(
        family="Llama 3.2 Vision",
        style="stated",
        frame=SENT_PIXELS,
        documented=False,
        source="none published (meta-llama/llama-models MODEL_CARD_VISION.md)",
    ),
    "Llama 4": Convention(
        family="Llama 4",
        style="stated",
        frame=SENT_PIXELS,
        documented=False,
        source="none published (meta-llama/llama-models models/llama4/MODEL_CARD.md)",
    ),
    "GLM-5-Next": Convention(
        family="GLM-5-Next",
        style="stated",
        frame=SENT_PIXELS,
        documented=False,
        source="none published for GLM-5.x",
    ),
    "Kimi K2.5": Convention(
        family="Kimi K2.5",
        style="stated",
        frame=SENT_PIXELS,
        documented=False,
        source="none published (MoonshotAI/Kimi-K2.5#15 asks for one)",
    ),
}
UNKNOWN = Convention(
    family="unknown",
    style="stated",
    frame=SENT_PIXELS,
    documented=False,
    source="none: the prompt states the frame",
)


def named_frame(name: str) -> Frame:
    """The frame called `name` ("rel1000", "input-pixels"...); a RequestError names the others."""
    frame = FRAMES.get(name.strip().lower())
    if frame is None:
        raise RequestError(
            f"There is no coordinate frame called {name!r}; use one of {', '.join(FRAMES)}."
        )
    return frame


def convention_for(model: str | None) -> Convention:
    """How `model`'s family is asked to locate and the frame it answers in (a stated frame,
    pixels of the image as sent, for a family with none documented)."""
    family = family_of(model) if model else None
    if family is None:
        return UNKNOWN
    return CONVENTIONS.get(family.name, UNKNOWN)


def frame_for(model: str | None, overrides: Mapping[str, str | Frame] | None = None) -> Frame:
    """The frame `model`'s coordinates are read in: an override for this model id when one is
    given (a frame or its name), else its family's."""
    chosen = (overrides or {}).get(model or "")
    if chosen is None:
        return convention_for(model).frame
    return chosen if isinstance(chosen, Frame) else named_frame(chosen)
