"""Continuing a conversation with one model: its earlier turns, with their images, as context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from vision.errors import RequestError
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.values.request import ChatRequest, ImageRef, Turn


def context_images(history: Sequence[Turn]) -> int:
    """How many images earlier turns put in the context (each request carries them again)."""
    return sum(len(turn.images) for turn in history)


def follow_up(
    previous: ChatRequest, answer: str, *, prompt: str, images: Sequence[ImageRef] = ()
) -> ChatRequest:
    """The next request to the same model: the previous exchange becomes the last turn of history.

    Raises RequestError when the conversation's images would pass the per-request limit.
    """
    history = (
        *previous.history,
        Turn(prompt=previous.prompt, images=previous.images, answer=answer),
    )
    total = context_images(history) + len(images)
    if total > MAX_IMAGES_PER_REQUEST:
        earlier = total - len(images)
        raise RequestError(
            f"This conversation already carries {earlier} image{'' if earlier == 1 else 's'} and "
            f"a request takes at most {MAX_IMAGES_PER_REQUEST}: attach at most "
            f"{max(MAX_IMAGES_PER_REQUEST - earlier, 0)}, or press Send above to start afresh."
        )
    return replace(previous, prompt=prompt, images=tuple(images), history=history)
