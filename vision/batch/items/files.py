"""Batch items read lazily from this machine: a folder, a CSV, a JSONL or a VLMEvalKit TSV.

Every source is read one row at a time when the batch pulls its next item, so memory holds
the rows about to be sent, never the whole set (a TSV of 10,000 base64 images is gigabytes).
Paths in a table are relative to the table's folder; http(s) URLs stay URLs for the API to fetch.
A PDF or TIFF is an item per page, a video one item of frames (vision/batch/items/parts.py).
"""

from __future__ import annotations

import binascii
import csv
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice, takewhile
from pathlib import Path
from typing import Any, Literal

from vision.batch.items.boxes import locate_task
from vision.batch.items.choices import choice_items
from vision.batch.items.parts import DOCUMENT_SUFFIXES, file_parts, part_name, row_parts
from vision.errors import RequestError
from vision.scoring.choice import option_letters
from vision.urls.shape import is_http_url
from vision.values.batch import BatchItem, ImageFile
from vision.values.image import SourcePart

SourceKind = Literal["folder", "csv", "jsonl", "tsv"]
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ".avif", ".bmp", ".tif", ".tiff"}
)
# What a folder's items are made of: images, and documents and videos (pages and frames).
ITEM_SUFFIXES = IMAGE_SUFFIXES | DOCUMENT_SUFFIXES
# The column that names an image, in order of preference.
IMAGE_FIELDS = ("image", "url", "image_url", "image_path", "path", "file")
PROMPT_FIELDS = ("prompt", "question")
TAG_FIELDS = ("tag", "category")
# A base64 image in one TSV cell is far longer than csv's default field limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemSource:
    """Where a batch's items come from; iterating reads them one at a time."""

    path: Path
    kind: SourceKind
    prompt: str
    tag: str | None = None
    # Multiple-choice questions asked once per rotation of their options (circular evaluation).
    circular: bool = False

    def __iter__(self) -> Iterator[BatchItem]:
        return _READERS[self.kind](self)

    def numbered(self, within: range | None) -> Iterator[tuple[int, BatchItem]]:
        """The items at these positions (every one with None) with their index; a file is read
        from its start, the rows before them skipped."""
        numbered: Iterator[tuple[int, BatchItem]] = enumerate(self)
        if within is None:
            return numbered
        return islice(numbered, within.start, within.stop)

    def count(self) -> int:
        """How many items the source holds (one quick pass, nothing kept; with circular
        evaluation each rotation counts, so the pass reads every row)."""
        if self.circular and self.kind != "folder":
            return sum(1 for _ in self)
        return sum(1 for _ in _ROWS[self.kind](self))


def open_source(
    source: str, prompt: str, *, tag: str | None = None, circular: bool = False
) -> ItemSource:
    """The source at a path: a folder, or a .csv/.txt, .jsonl or .tsv file; a sentence if not."""
    path = Path(source).expanduser()
    if path.is_dir():
        kind: SourceKind = "folder"
    elif path.is_file():
        suffix = path.suffix.lower()
        kind = "jsonl" if suffix in {".jsonl", ".ndjson"} else "tsv" if suffix == ".tsv" else "csv"
    else:
        raise RequestError(
            f"{source} is neither a folder nor a CSV, JSONL or TSV file; check the path."
        )
    found = ItemSource(
        path=path, kind=kind, prompt=prompt, tag=(tag or "").strip() or None, circular=circular
    )
    if not any(True for _ in _ROWS[kind](found)):
        what = "image files" if kind == "folder" else "items"
        raise RequestError(
            f"No {what} found in {source}; add JPEG, PNG, WEBP or GIF images (or PDFs, TIFFs, "
            "SVGs or videos)."
        )
    return found


def _image(source: ItemSource, named: str) -> ImageFile | str:
    if is_http_url(named):
        return named
    return ImageFile(str(source.path.parent / named))


def _first(fields: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = fields.get(name)
        if value not in (None, ""):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# Folders


def _folder_files(source: ItemSource) -> Iterator[tuple[Path, tuple[SourcePart, ...]]]:
    """Each file of the folder in name order, once per item it makes (a PDF: once a page)."""
    names = sorted(
        entry.name
        for entry in source.path.iterdir()
        if entry.suffix.lower() in ITEM_SUFFIXES and entry.is_file()
    )
    for name in names:
        path = source.path / name
        for parts in file_parts(name, partial(_read_file, path)):
            yield path, parts


def _read_file(path: Path) -> bytes:
    from vision.batch.running.preparation import read_image_file

    return read_image_file(str(path))


def _folder_items(source: ItemSource) -> Iterator[BatchItem]:
    for path, parts in _folder_files(source):
        yield BatchItem(
            image=ImageFile(str(path)),
            prompt=source.prompt,
            name=part_name(path.name, parts),
            tag=source.tag,
            parts=parts,
        )


# CSV: a header with an image column (and optionally prompt, expected, answers, tag), or one
# image per line


def _open_text(path: Path) -> Any:
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise RequestError(f"Cannot read {path}: {reason}; check the file and run again.") from None


def _lines_of(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with _open_text(path) as handle:
        try:
            for row in csv.reader(handle, delimiter=delimiter):
                if any(cell.strip() for cell in row):
                    yield 0, row
        except UnicodeDecodeError:
            raise RequestError(
                f"{path} is not UTF-8 text; save it as UTF-8 and run again."
            ) from None


def _table_rows(source: ItemSource, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row with its line number as {column: cell}; a headerless CSV is one image a line."""
    rows = _lines_of(source.path, delimiter)
    first = next(rows, None)
    if first is None:
        return
    header = [cell.strip().lower() for cell in first[1]]
    if delimiter == "," and not any(name in header for name in IMAGE_FIELDS):
        yield 1, {"image": first[1][0].strip()}
        for number, (_, row) in enumerate(rows, start=2):
            yield number, {"image": row[0].strip()}
        return
    for number, (_, row) in enumerate(rows, start=2):
        yield number, {name: cell.strip() for name, cell in zip(header, row, strict=False)}


def _answers(fields: dict[str, Any]) -> tuple[str, ...]:
    listed = fields.get("answers")
    if isinstance(listed, list):
        return tuple(str(answer).strip() for answer in listed if str(answer).strip())
    if isinstance(listed, str) and listed.strip():
        return tuple(part.strip() for part in listed.split("|") if part.strip())
    single = fields.get("answer", fields.get("expected"))
    if isinstance(single, list):
        return tuple(str(answer).strip() for answer in single if str(answer).strip())
    text = _text(single)
    return (text,) if text else ()


def _label(fields: dict[str, Any], image: Any, named: str | None, where: str) -> str:
    """What to call an item: its id or index, else how its image was named, else its row."""
    return _text(fields.get("id")) or _text(fields.get("index")) or named or where


def _item(
    source: ItemSource, fields: dict[str, Any], where: str, image: Any, named: str | None = None
) -> Iterator[BatchItem]:
    """The row's item; with circular evaluation, one per rotation of a question's options."""
    if image is None:
        raise RequestError(f"{where} names no image; give it an image, url or path and run again.")
    locate = locate_task(fields, where)
    if locate is not None and isinstance(image, str):
        raise RequestError(
            f"{where} asks to locate something in an image given by URL; boxes are mapped back "
            "through the image's own pixels, so download it and name the file instead."
        )
    parts: tuple[SourcePart, ...] = ()
    if isinstance(image, ImageFile):
        parts = row_parts(fields, named, partial(_read_file, Path(image.path)), where)
    elif isinstance(image, str) and any(fields.get(key) for key in ("page", "frames", "at")):
        raise RequestError(
            f"{where} names a page or frames of a file given by URL; download it and name "
            "the file instead."
        )
    choices = _choices(fields.get("options", fields.get("choices")), where)
    question = _text(_first(fields, PROMPT_FIELDS)) or source.prompt
    answers = _answers(fields)
    item = BatchItem(
        image=image,
        prompt=locate.target if locate is not None else question,
        name=_label(fields, image, part_name(named, parts) if named else None, where),
        expected=answers[0] if answers else None,
        answers=answers if len(answers) > 1 else (),
        choices=choices,
        tag=_text(_first(fields, TAG_FIELDS)) or source.tag,
        locate=locate,
        parts=parts,
    )
    yield from choice_items(
        item, question, hint=_text(fields.get("hint")), circular=source.circular, where=where
    )


def _choices(value: Any, where: str) -> tuple[str, ...]:
    if value in (None, "", [], {}):
        return ()
    if isinstance(value, dict):
        return tuple(str(value[key]) for key in sorted(value))
    if isinstance(value, list):
        return tuple(str(option) for option in value)
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split("|") if part.strip())
    raise RequestError(f"{where} has options that are neither a list nor letters; fix them.")


def _csv_items(source: ItemSource) -> Iterator[BatchItem]:
    for number, fields in _table_rows(source, ","):
        named = _text(_first(fields, IMAGE_FIELDS))
        image = _image(source, named) if named else None
        yield from _item(source, fields, f"Row {number} of {source.path.name}", image, named)


# JSONL: one object a line


def jsonl_objects(
    lines: Iterable[str], *, named: str, then: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line's JSON object with its line number and its keys in lower case; a
    line that is not one is a sentence naming the file (`named`) and what to do `then`."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RequestError(
                f"Line {number} of {named} is not JSON ({exc.msg}); fix it and {then}."
            ) from None
        if not isinstance(fields, dict):
            raise RequestError(
                f"Line {number} of {named} is not a JSON object; "
                'write one {"image": ..., "question": ...} object a line.'
            )
        yield number, {str(key).lower(): value for key, value in fields.items()}


def _jsonl_rows(source: ItemSource) -> Iterator[tuple[int, dict[str, Any]]]:
    with _open_text(source.path) as handle:
        try:
            yield from jsonl_objects(handle, named=source.path.name, then="run again")
        except UnicodeDecodeError:
            raise RequestError(
                f"{source.path} is not UTF-8 text; save it as UTF-8 and run again."
            ) from None


def _jsonl_items(source: ItemSource) -> Iterator[BatchItem]:
    for number, fields in _jsonl_rows(source):
        named = _text(_first(fields, IMAGE_FIELDS))
        image = _image(source, named) if named else None
        yield from _item(source, fields, f"Line {number} of {source.path.name}", image, named)


# VLMEvalKit's benchmark TSV: index, image (base64) or image_path, question, hint, A..., answer,
# category


def _tsv_rows(source: ItemSource) -> Iterator[tuple[int, dict[str, str]]]:
    return _table_rows(source, "\t")


def _tsv_options(fields: dict[str, str]) -> dict[str, str]:
    """The option columns A, B, C... up to the first empty one."""
    letters = takewhile(lambda letter: fields.get(letter.lower()), option_letters(26))
    return {letter: fields[letter.lower()] for letter in letters}


def _tsv_items(source: ItemSource) -> Iterator[BatchItem]:
    import pybase64

    for number, fields in _tsv_rows(source):
        where = f"Row {number} of {source.path.name}"
        encoded, path = fields.get("image", ""), fields.get("image_path", "")
        image: bytes | ImageFile | str | None
        if encoded and not encoded.isdigit():
            try:
                image = pybase64.b64decode(encoded, validate=False)
            except (binascii.Error, ValueError):
                raise RequestError(f"{where} has an image that is not base64; fix it.") from None
        elif path:
            image = _image(source, path)
        elif encoded:
            raise RequestError(
                f"{where} points at another row's image ({encoded}), which a streamed read "
                "cannot follow; give each row its own image or image_path."
            )
        else:
            image = None
        options = _tsv_options(fields)
        row: dict[str, Any] = {**fields, "options": options, "image": None, "image_path": None}
        yield from _item(source, row, where, image, path or None)


_READERS = {
    "folder": _folder_items,
    "csv": _csv_items,
    "jsonl": _jsonl_items,
    "tsv": _tsv_items,
}
_ROWS = {
    "folder": _folder_files,
    "csv": lambda source: _table_rows(source, ","),
    "jsonl": _jsonl_rows,
    "tsv": _tsv_rows,
}
