"""A page or frame prepared for a model: drawn straight at the size the model uses (never drawn
large and shrunk), or several stitched into one grid labelled with their pages or times."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PIL import Image

from vision.errors import ImageUnreadableError
from vision.images.documents.drawing import completed_parts, part_picture
from vision.images.documents.opening import open_pages
from vision.images.documents.pages import Pages
from vision.images.encode import data_url, encode, looks_like_graphic, to_eight_bit
from vision.images.geometry import capped_size
from vision.images.pixels import DECODE_FAILURES
from vision.images.profiles import estimate_image_tokens, profile_for, send_size
from vision.images.size_notes import small_image_warning, traded_size_note
from vision.images.slots import decode_slot
from vision.images.stitch import stitch_pictures, unreadable_pictures
from vision.values.image import GridCell, PreparedImage, SourcePart, parts_label


@dataclass(frozen=True, slots=True, kw_only=True)
class _Drawn:
    """What was drawn for a model: the pixels at the size sent, the full size they stand for,
    the parts they show, a grid's cells and the steps taken."""

    pixels: Image.Image
    full: tuple[int, int]
    parts: tuple[SourcePart, ...]
    cells: tuple[GridCell, ...]
    steps: tuple[str, ...]


def _draw(
    pages: Pages,
    parts: tuple[SourcePart, ...],
    target_for: Callable[[tuple[int, int]], tuple[int, int]],
    reason: str,
) -> _Drawn:
    if len(parts) > 1:
        grid, cells = stitch_pictures(
            [partial(part_picture, pages, part) for part in parts], [part.tile for part in parts]
        )
        target = target_for(grid.size)
        steps = [
            f"stitched {parts_label(parts)} into one labelled {grid.width}×{grid.height} grid, "
            "each drawn at the size of its tile"
        ]
        pixels = grid
        if target != grid.size:
            pixels = grid.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0)
            steps.append(f"resized the grid to {target[0]}×{target[1]} {reason}")
        return _Drawn(pixels=pixels, full=grid.size, parts=parts, cells=cells, steps=tuple(steps))
    part = parts[0] if parts else None
    full = pages.size(part)
    target = target_for(full)
    what = part.label if part is not None else f"the {pages.format} drawing"
    verb = "decoded" if pages.kind == "video" else "drew"
    step = f"{verb} {what} at {target[0]}×{target[1]}"
    if target != full:
        step += f" (its full size {full[0]}×{full[1]}) {reason}"
    return _Drawn(
        pixels=pages.render(part, target), full=full, parts=parts, cells=(), steps=(step,)
    )


def prepare_document(
    data: bytes,
    parts: tuple[SourcePart, ...],
    *,
    filename: str | None,
    model: str | None,
    qwen_token_budget: int,
    longest_side: int | None,
) -> PreparedImage:
    """Pages or frames of a document, video or drawing prepared for a model: one drawn at the
    model's size, or several as one labelled grid; raises ImageError (PartsNeededError when
    a document of several pages or a video comes with none named)."""

    def target_for(full: tuple[int, int]) -> tuple[int, int]:
        capped = capped_size(full, longest_side)
        return send_size(model, *capped, qwen_token_budget=qwen_token_budget)

    with decode_slot():
        pages = open_pages(data, animation=bool(parts) and parts[0].kind == "animation")
        try:
            reason = profile_for(model).resize_reason
            drawn = _draw(pages, completed_parts(pages, parts), target_for, reason)
            try:
                pixels, converted = to_eight_bit(drawn.pixels)
                encoded = encode(
                    pixels, graphic=looks_like_graphic(pixels), lossless_source=pages.lossless
                )
            except DECODE_FAILURES as exc:
                raise ImageUnreadableError(
                    "This page cannot be drawn; save the file again and try again."
                ) from exc
            original_format = pages.format
        finally:
            pages.close()
    steps = list(drawn.steps)
    if longest_side is not None and capped_size(drawn.full, longest_side) != drawn.full:
        steps.insert(0, f"longest side capped at {longest_side} px (the chosen resolution)")
    steps.extend(converted)
    steps.extend(encoded.steps)
    sent = (encoded.width, encoded.height)
    # As for a photo, only a page or frame small itself is warned about; a size we chose is a
    # note, and a grid names each picture drawn too small in it.
    small = small_image_warning(*drawn.full)
    warnings = [small] if small is not None and not drawn.cells else []
    warnings += unreadable_pictures(drawn.cells, encoded.width)
    note = traded_size_note(
        model, drawn.full, sent, token_budget=qwen_token_budget, longest_side=longest_side
    )
    return PreparedImage(
        mime=encoded.mime,
        width=encoded.width,
        height=encoded.height,
        size_bytes=len(encoded.data),
        sha256=hashlib.sha256(encoded.data).hexdigest(),
        data_url=data_url(encoded.mime, encoded.data),
        data=encoded.data,
        original_format=original_format,
        original_width=drawn.full[0],
        original_height=drawn.full[1],
        original_size_bytes=len(data),
        source_sha256=hashlib.sha256(data).hexdigest(),
        model=model,
        estimated_tokens=estimate_image_tokens(model, encoded.width, encoded.height),
        filename=filename,
        warnings=tuple(warnings),
        notes=() if note is None else (note,),
        steps=tuple(steps),
        reencoded=True,
        cells=drawn.cells,
        parts=drawn.parts,
    )
