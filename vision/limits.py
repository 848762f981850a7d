"""The provider's documented image limits, in one place."""

from __future__ import annotations

# Source: IO Intelligence "Uploading images" page (see docs/limits.md).
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF")
MIME_BY_FORMAT: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
# "20MB": read as 20,000,000 bytes, the stricter of MB and MiB (see docs/limits.md), so the
# server never refuses a size this app let through; sizes are shown in the same unit.
MAX_IMAGE_BYTES = 20_000_000
MAX_SIDE_PX = 4096
RECOMMENDED_MIN_SIDE_PX = 512
MAX_IMAGES_PER_REQUEST = 10

# Our own default: a batch's requests in flight at once (halved while the API answers 429).
DEFAULT_CONCURRENCY = 4

# Our own: the image rows a table uploaded on the Batch page may have. Reading one is a pass
# over its text (about 1.2 s of CPU per 100,000 rows, `make bench` section 15); `vision eval`
# reads a table of any size a row at a time.
MAX_TABLE_ROWS = 100_000

# Our own guard against pixel bombs: the largest image we agree to decode at all.
# 8x the provider's pixel cap leaves room for big camera photos (e.g. 12000x9000 panoramas
# are downscaled) while bounding memory to a few hundred MB per decode.
MAX_DECODE_PIXELS = 8 * MAX_SIDE_PX * MAX_SIDE_PX

# A multi-frame file with more frames than this is refused before seeking through them.
MAX_FRAMES = 1000

# Documents and videos (docs/documents.md). A document with more pages than this is refused
# before any page is drawn; so is a page whose drawing at 200 dpi would pass MAX_DECODE_PIXELS.
MAX_PAGES = 1000
# A video longer than this is refused before a frame is decoded; taking its frames may last
# at most the deadline, and a frame more than MAX_FRAMES frames after the keyframe before it
# is refused rather than decoded.
MAX_VIDEO_SECONDS = 2 * 3600
VIDEO_DECODE_DEADLINE_S = 30.0
