"""Whether Send can go ahead: the one sentence saying what is missing, and notes that do not
stop it."""

from __future__ import annotations

from collections.abc import Sequence

from vision.api.catalog import Catalog, sees_images, short_name
from vision.chat.plan import RunPlan
from vision.chat.preparation import ImageStatus
from vision.errors import RequestError
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.values.request import DEFAULT_PROMPT

NO_PROMPT = "Write a prompt."


def send_blocker(
    *,
    connected: bool,
    catalog: Catalog | None,
    models: Sequence[str],
    prompt: str,
    statuses: Sequence[ImageStatus],
    plan: RunPlan | None = None,
) -> str | None:
    """Why Send cannot go ahead, as one sentence, or None when the request is complete."""
    if not connected:
        return "Add an API key in the sidebar, or turn on the echo backend."
    if not models:
        return "Choose at least one model."
    if not prompt.strip() and not statuses:
        return NO_PROMPT
    over = [status for status in statuses if status.over_limit]
    if over:
        return f"A request takes at most {MAX_IMAGES_PER_REQUEST} images: remove {len(over)}."
    broken = [status for status in statuses if not status.sendable]
    if broken:
        first = broken[0]
        return f"Image {first.position} ({first.entry.label}) cannot be sent: remove it first."
    if statuses and catalog is not None:
        blind = [model for model in models if not sees_images(catalog.info(model))]
        if blind:
            return (
                f"{short_name(blind[0])} cannot read images: deselect it, "
                "or remove the images to ask it a text-only question."
            )
    if plan is not None:
        return plan.blocking  # a stitch that failed, or a request over its context window
    return None


def asked_prompt(prompt: str, *, images: int) -> str:
    """What the models are asked: the prompt as written, or with images and no prompt the
    default question (an image alone is a fine question). The app and the command line share
    this rule; raises RequestError when there is neither a prompt nor an image."""
    if prompt.strip():
        return prompt
    if images:
        return DEFAULT_PROMPT
    raise RequestError(f"{NO_PROMPT} Or add an image: an image alone is asked “{DEFAULT_PROMPT}”.")


def empty_prompt_note() -> str:
    """What an image sent without a prompt is asked, as a sentence."""
    return f"No prompt: the models are asked “{DEFAULT_PROMPT}”."


def send_notice(statuses: Sequence[ImageStatus], prompt: str | None = None) -> str | None:
    """Something worth knowing before Send that does not stop it, or None (`prompt`, when
    given, is checked for the question an image alone is asked)."""
    if not statuses:
        return "No image is attached: the models get only the prompt."
    if prompt is not None and not prompt.strip():
        return empty_prompt_note()
    return None
