"""prepare_image: image bytes in, exactly what one model can use out, or an ImageError."""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image

from vision.errors import (
    ImageTooLargeError,
    ImageUnreadableError,
    RequestError,
    UnsupportedImageError,
)
from vision.images.documents.kinds import document_kind
from vision.images.encode import (
    data_url,
    encode,
    looks_like_graphic,
    needs_conversion,
    to_eight_bit,
)
from vision.images.geometry import capped_size
from vision.images.metadata import png_checksums_match, strip_metadata
from vision.images.pixels import (
    DECODE_FAILURES,
    INTAKE_FORMATS,
    ORIENTATION_TAG,
    UNREADABLE,
    UPRIGHT,
    DecodedPixels,
    load_pixels,
    read_orientation,
)
from vision.images.profiles import (
    DEFAULT_QWEN_TOKEN_BUDGET,
    MAX_QWEN_TOKEN_BUDGET,
    MIN_QWEN_TOKEN_BUDGET,
    estimate_image_tokens,
    profile_for,
    send_size,
)
from vision.images.size_notes import small_image_warning, traded_size_note
from vision.images.slots import decode_slot
from vision.images.sniff import open_image
from vision.limits import (
    ACCEPTED_FORMATS,
    MAX_IMAGE_BYTES,
    MIME_BY_FORMAT,
)
from vision.values.batch import DEFAULT_RESOLUTION, Resolution
from vision.values.image import PreparedImage, SourcePart

# Bytes we agree to read at all: about five times the send limit leaves room for big camera
# files; 100 MiB exactly, the page's upload limit (Streamlit counts it in MiB).
MAX_SOURCE_BYTES = 100 * 1024 * 1024

_LOSSLESS_FORMATS = ("PNG", "GIF")
_EXTENSIONS = {
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "MPO": (".jpg", ".jpeg", ".mpo"),
    "PNG": (".png", ".apng"),
    "WEBP": (".webp",),
    "GIF": (".gif",),
    "HEIF": (".heic", ".heif", ".hif"),
    "AVIF": (".avif",),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Source:
    """What the header says about the uploaded file, upright."""

    format: str
    width: int
    height: int
    animated: bool
    orientation: int
    lossless: bool


def _describe(image: Image.Image, data: bytes) -> _Source:
    fmt = str(image.format)
    try:
        # MPO (camera JPEG with extra depth/stereo pictures): the first picture is the photo.
        animated = fmt != "MPO" and bool(getattr(image, "is_animated", False))
    except DECODE_FAILURES as exc:
        raise ImageUnreadableError(UNREADABLE) from exc
    if fmt == "PNG" and not png_checksums_match(data):
        raise ImageUnreadableError(UNREADABLE)
    orientation = read_orientation(image, data)
    width, height = image.size
    if orientation >= 5:
        width, height = height, width
    lossless = fmt in _LOSSLESS_FORMATS or (fmt == "WEBP" and b"VP8L" in data[12:64])
    return _Source(
        format=fmt,
        width=width,
        height=height,
        animated=animated,
        orientation=orientation,
        lossless=lossless,
    )


def _check_budget(budget: int) -> None:
    if not MIN_QWEN_TOKEN_BUDGET <= budget <= MAX_QWEN_TOKEN_BUDGET:
        raise RequestError(
            f"The Qwen2-VL token budget must be between {MIN_QWEN_TOKEN_BUDGET} and "
            f"{MAX_QWEN_TOKEN_BUDGET}; pick a value in that range."
        )


def _warnings(source: _Source, filename: str | None) -> list[str]:
    notes = []
    if source.animated:
        notes.append("This image is animated; only its first frame is sent.")
    if filename:
        suffix = PurePath(filename).suffix.lower()
        known = {ext for exts in _EXTENSIONS.values() for ext in exts}
        if suffix in known and suffix not in _EXTENSIONS.get(source.format, ()):
            notes.append(
                f"The file is named {suffix} but holds a {source.format} image; "
                f"it is handled as {source.format}."
            )
    small = small_image_warning(source.width, source.height)
    if small is not None:
        notes.append(small)
    return notes


def _notes(
    source: _Source,
    sent: tuple[int, int],
    model: str | None,
    budget: int,
    longest_side: int | None,
) -> tuple[str, ...]:
    """What the chosen size traded (never a warning: the size is ours, not the person's)."""
    note = traded_size_note(
        model, (source.width, source.height), sent, token_budget=budget, longest_side=longest_side
    )
    return () if note is None else (note,)


def _metadata_to_keep(image: Image.Image) -> dict[str, bytes]:
    """EXIF (orientation reset to upright), XMP and ICC of the source, for keep_metadata."""
    kept: dict[str, bytes] = {}
    try:
        exif = image.getexif()
        if exif:
            if ORIENTATION_TAG in exif:
                exif[ORIENTATION_TAG] = 1
            kept["exif"] = exif.tobytes()
    except DECODE_FAILURES:
        pass  # unreadable EXIF is dropped rather than sent broken
    for key in ("xmp", "icc_profile"):
        value = image.info.get(key)
        if isinstance(value, bytes) and value:
            kept[key] = value
    return kept


def _resize_step(source: _Source, target: tuple[int, int], model: str | None) -> str:
    reason = profile_for(model).resize_reason
    return f"resized {source.width}×{source.height} to {target[0]}×{target[1]} {reason}"


def _downscale(pixels: Image.Image, target: tuple[int, int]) -> Image.Image:
    """Resize to target: BILINEAR for a last step under 2× (after a JPEG draft decode).

    Below 2× bilinear's smoothing already avoids aliasing, at about two thirds of bicubic's
    time on a 12 MP photo (measured by `make bench`); larger steps keep bicubic with a gap.
    """
    factor = max(pixels.width / target[0], pixels.height / target[1])
    if factor < 2:
        return pixels.resize(target, Image.Resampling.BILINEAR)
    return pixels.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _reencode(
    data: bytes,
    source: _Source,
    target: tuple[int, int],
    model: str | None,
    keep: bool,
    decoded: Image.Image | None = None,
    shared: DecodedPixels | None = None,
) -> tuple[bytes, str, int, int, list[str]]:
    """Decode (at reduced scale where possible, or reuse `decoded` or `shared`), convert,
    resize, encode."""
    steps: list[str] = []
    raw_target = target if source.orientation < 5 else (target[1], target[0])
    borrowed = decoded is None and shared is not None and not keep
    if borrowed:
        assert shared is not None
        decoded = shared.at_least(raw_target)  # EXIF is not kept from it (keep is False)
    image = decoded if decoded is not None else open_image(data, INTAKE_FORMATS)
    # Every step below makes new pixels from it; the shared image must outlive this model.
    with nullcontext(image) if borrowed else image:
        if source.animated:
            steps.append("used the first frame only")
        if source.format not in ACCEPTED_FORMATS and source.format != "MPO":
            steps.append(f"converted {source.format} (not accepted by the API)")
        if decoded is None and image.format in ("JPEG", "MPO") and raw_target != image.size:
            # libjpeg scales by 1/2, 1/4 or 1/8 while decoding, staying at or above the target.
            image.draft(image.mode, raw_target)
        load_pixels(image)
        kept = _metadata_to_keep(image) if keep else {}
        try:
            pixels, converted = to_eight_bit(image)
            steps.extend(converted)
            if pixels.size != raw_target:
                pixels = _downscale(pixels, raw_target)
                steps.append(_resize_step(source, target, model))
            if source.orientation in UPRIGHT:
                pixels = pixels.transpose(UPRIGHT[source.orientation])
                steps.append(f"rotated upright (EXIF orientation {source.orientation})")
            graphic = looks_like_graphic(pixels)
            encoded = encode(
                pixels, graphic=graphic, lossless_source=source.lossless, metadata=kept
            )
        except DECODE_FAILURES as exc:
            raise ImageUnreadableError(UNREADABLE) from exc
    steps.extend(encoded.steps)
    steps.append("kept EXIF, XMP and ICC as asked" if keep else "removed EXIF, XMP and comments")
    return encoded.data, encoded.mime, encoded.width, encoded.height, steps


def _pass_through(
    data: bytes, source: _Source, keep: bool
) -> tuple[bytes, list[str]] | Image.Image | None:
    """The original bytes (minus metadata) when the pixels can go unchanged.

    Otherwise None, or the full-size pixels it had to decode to find out (a transparent PNG,
    say), so the re-encode does not decode them a second time.
    """
    if source.format not in (*ACCEPTED_FORMATS, "MPO") or source.animated:
        return None
    if source.orientation != 1 or len(data) > MAX_IMAGE_BYTES:
        return None
    image = open_image(data, INTAKE_FORMATS)
    with image:
        # Only alpha needs the pixels to judge; every other mode is settled by the header.
        if image.mode not in ("RGBA", "LA") and needs_conversion(image):
            return None
        scaled = image.format in ("JPEG", "MPO")
        if scaled:
            # Decoding at 1/8 scale still reads every byte: enough to prove the file is whole.
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        load_pixels(image)
        try:
            convert = needs_conversion(image)
        except DECODE_FAILURES as exc:
            raise ImageUnreadableError(UNREADABLE) from exc
    if convert:
        return None if scaled else image
    stripped = strip_metadata(data, source.format, keep_metadata=keep)
    if stripped is None:
        return None
    if not stripped.removed:
        return data, ["sent the original file unchanged"]
    return stripped.data, [f"removed {', '.join(stripped.removed)} without re-encoding"]


def prepare_image(
    data: bytes,
    *,
    filename: str | None = None,
    model: str | None = None,
    qwen_token_budget: int = DEFAULT_QWEN_TOKEN_BUDGET,
    keep_metadata: bool = False,
    pixels: DecodedPixels | None = None,
    longest_side: int | None = None,
    parts: tuple[SourcePart, ...] = (),
) -> PreparedImage:
    """Check, convert and size image bytes for a model (or the API limits); raises ImageError.

    `pixels`, made for these same bytes, lets the versions for several models share a decode;
    `longest_side` sends the image no larger than that many pixels a side (a resolution sweep).
    A PDF, TIFF, video or SVG is drawn at the model's size: `parts` names its page or frame
    (several: one labelled grid), as it does an animation's frame; a one-page document or a
    drawing needs none (docs/documents.md).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UnsupportedImageError(
            "Only image bytes can be prepared; read the file and try again."
        )
    data = bytes(data)
    _check_budget(qwen_token_budget)
    if len(data) > MAX_SOURCE_BYTES:
        raise ImageTooLargeError(
            f"This file is {len(data) / 1_000_000:.0f} MB, more than we read; "
            "export a smaller version (under 20 MB) and try again."
        )
    if parts or document_kind(data) is not None:
        # Imported here: a photo never loads the PDF, video or SVG libraries.
        from vision.images.documents.prepare import prepare_document

        return prepare_document(
            data,
            tuple(parts),
            filename=filename,
            model=model,
            qwen_token_budget=qwen_token_budget,
            longest_side=longest_side,
        )
    with decode_slot():
        image = open_image(data, INTAKE_FORMATS)
        with image:
            source = _describe(image, data)
        capped = capped_size((source.width, source.height), longest_side)
        target = send_size(model, *capped, qwen_token_budget=qwen_token_budget)
        checked = None
        if target == (source.width, source.height):
            checked = _pass_through(data, source, keep_metadata)
        passed = checked if isinstance(checked, tuple) else None
        if passed is not None:
            sent, steps = passed
            mime = MIME_BY_FORMAT["JPEG" if source.format == "MPO" else source.format]
            width, height = source.width, source.height
        else:
            decoded = checked if isinstance(checked, Image.Image) else None
            sent, mime, width, height, steps = _reencode(
                data, source, target, model, keep_metadata, decoded, pixels
            )
            if capped != (source.width, source.height):
                steps = [
                    f"longest side capped at {longest_side} px (the chosen resolution)",
                    *steps,
                ]
    source_sha256 = hashlib.sha256(data).hexdigest()
    # The original sent unchanged is the very same object: its hash is already known.
    sha256 = source_sha256 if sent is data else hashlib.sha256(sent).hexdigest()
    return PreparedImage(
        mime=mime,
        width=width,
        height=height,
        size_bytes=len(sent),
        sha256=sha256,
        data_url=data_url(mime, sent),
        data=sent,
        original_format=source.format,
        original_width=source.width,
        original_height=source.height,
        original_size_bytes=len(data),
        source_sha256=source_sha256,
        model=model,
        estimated_tokens=estimate_image_tokens(model, width, height),
        filename=filename,
        warnings=tuple(_warnings(source, filename)),
        notes=_notes(source, (width, height), model, qwen_token_budget, longest_side),
        steps=tuple(steps),
        reencoded=passed is None,
        orientation=source.orientation,
    )


def prepare_at(
    data: bytes,
    *,
    filename: str | None,
    model: str | None,
    resolution: Resolution = DEFAULT_RESOLUTION,
    parts: tuple[SourcePart, ...] = (),
) -> PreparedImage:
    """prepare_image at a batch's resolution: its Qwen token budget and longest side."""
    return prepare_image(
        data,
        filename=filename,
        model=model,
        qwen_token_budget=resolution.token_budget or DEFAULT_QWEN_TOKEN_BUDGET,
        longest_side=resolution.max_side or None,
        parts=parts,
    )
