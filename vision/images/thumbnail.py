"""Small previews of images for the page and the history, made once per image and cheap to show."""

from __future__ import annotations

import io

from PIL import Image

from vision.errors import ImageError, ImageUnreadableError, RequestError
from vision.images.documents.kinds import document_kind
from vision.images.encode import to_eight_bit
from vision.images.intake import MAX_SOURCE_BYTES
from vision.images.pixels import DECODE_FAILURES, INTAKE_FORMATS, DecodedPixels, read_upright
from vision.images.slots import decode_slot
from vision.values.image import PreparedImage, SourcePart
from vision.values.run import RunImage

DEFAULT_THUMBNAIL_SIDE = 256
# The history keeps a smaller one with each run.
THUMBNAIL_MAX_SIDE_PX = 160
# Thumbnails are looked at, not read by a model: a lighter JPEG keeps the page's payload small.
THUMBNAIL_QUALITY = 80


def thumbnail(
    data: bytes,
    max_side: int = DEFAULT_THUMBNAIL_SIDE,
    shared: DecodedPixels | None = None,
    parts: tuple[SourcePart, ...] = (),
) -> bytes:
    """A JPEG of the upright first frame (or of a document's page or a video's frame, drawn
    at the thumbnail's size), its long side at most max_side; raises ImageError.

    `shared`, made for these same bytes, lends pixels a model's version already decoded.
    """
    if max_side < 1:
        raise RequestError("A thumbnail needs a size of at least 1 pixel; pick a larger size.")
    if len(data) > MAX_SOURCE_BYTES:
        raise ImageUnreadableError("This file is too large to preview; use a smaller export.")
    if parts or document_kind(data) is not None:
        # Imported here: a photo's thumbnail loads no PDF or video library. The page or frame
        # is drawn at the thumbnail's size, in a decode slot of its own.
        from vision.images.documents.drawing import draw_parts

        picture, _ = draw_parts(bytes(data), parts, (max_side, max_side))
        return _jpeg(picture, max_side)
    # A decode like any other: it waits for one of the process's decode slots, so a batch's
    # thumbnails (one per image, on every thread of the batch) add no decodes beyond them.
    with decode_slot():
        # read_upright asks libjpeg to decode JPEGs at 1/2, 1/4 or 1/8 scale (draft), never
        # below the box, so a 12 MP photo is never decoded in full just to be shown small.
        if shared is not None:
            # A copy: Image.thumbnail shrinks in place; the shared pixels are not ours to change.
            picture = shared.upright((max_side, max_side)).copy()
        else:
            picture = read_upright(bytes(data), (max_side, max_side), INTAKE_FORMATS)
        return _jpeg(picture, max_side)


def _jpeg(picture: Image.Image, max_side: int) -> bytes:
    try:
        picture, _ = to_eight_bit(picture)
        picture.thumbnail((max_side, max_side), Image.Resampling.BICUBIC, reducing_gap=2.0)
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, "JPEG", quality=THUMBNAIL_QUALITY)
    except DECODE_FAILURES as exc:
        raise ImageUnreadableError(
            "This image cannot be previewed; re-export it and try again."
        ) from exc
    return buffer.getvalue()


def make_thumbnail(data: bytes) -> bytes:
    """A JPEG no larger than 160 px a side, or b"" when the bytes cannot be read as an image."""
    try:
        return thumbnail(data, THUMBNAIL_MAX_SIDE_PX)
    except ImageError:
        return b""


def image_from_prepared(
    prepared: PreparedImage, *, position: int = 0, thumbnail: bytes | None = None
) -> RunImage:
    """The history record of a prepared image; a thumbnail of the sent bytes unless one is given."""
    return RunImage(
        position=position,
        sha256=prepared.sha256,
        source_sha256=prepared.source_sha256,
        mime=prepared.mime,
        width=prepared.width,
        height=prepared.height,
        steps=prepared.steps,
        thumbnail=make_thumbnail(prepared.data) if thumbnail is None else thumbnail,
        original_width=prepared.original_width,
        original_height=prepared.original_height,
        orientation=prepared.orientation,
        cells=prepared.cells,
        parts=prepared.parts,
    )
