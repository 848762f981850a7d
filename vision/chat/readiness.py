"""Whether Send can go ahead: the one sentence saying what is missing, and notes that do not
stop it."""

from __future__ import annotations

from collections.abc import Sequence

from vision.api.catalog import Catalog, sees_images, short_name
from vision.chat.plan import RunPlan
from vision.chat.preparation import ImageStatus
from vision.limits import MAX_IMAGES_PER_REQUEST


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
    if not prompt.strip():
        return "Write a prompt."
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


def send_notice(statuses: Sequence[ImageStatus]) -> str | None:
    """Something worth knowing before Send that does not stop it, or None."""
    if not statuses:
        return "No image is attached: the models get only the prompt."
    return None
