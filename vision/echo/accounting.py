"""What an image costs a model of the echo: its family's published geometry, or its own."""

from __future__ import annotations

from vision.echo.catalog import EchoModel
from vision.images.profiles import published_profile


def image_tokens(model: EchoModel, width: int, height: int) -> int:
    """Prompt tokens the echo counts for one image (a text-only model never sees it: 0).

    Published geometry only: what the project learns from answers must not feed back into what
    the echo answers, or calibration would measure itself.
    """
    if not model.supports_images:
        return 0
    geometry = model.geometry or published_profile(model.id).geometry
    return geometry.tokens(width, height)
