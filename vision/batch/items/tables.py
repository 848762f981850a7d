"""The rows of a table uploaded on the Batch page (CSV, or JSON Lines), read from its bytes one
row at a time: nothing holds every row, and a reader can stop after the first few. A row may be
a multiple-choice question, or a grounding item (boxes.py)."""

from __future__ import annotations

import csv
import io
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, takewhile
from typing import Literal

from vision.batch.items.boxes import locate_task
from vision.batch.items.files import jsonl_objects
from vision.errors import RequestError
from vision.values.grounding import LocateTask

TableKind = Literal["CSV", "JSONL"]
# The column that names an image, in order of preference.
IMAGE_COLUMNS = ("image", "url", "path", "file")
# A JSONL's columns are the fields of its first objects, this many.
COLUMNS_READ = 50
# JSON Lines start with an object, after an optional byte-order mark and blank space.
_JSONL_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*\{")


@dataclass(frozen=True, slots=True, kw_only=True)
class TableRow:
    """One image row of a batch table: its line number, the image it names, its other columns
    (a multiple-choice row has options, and its answer as a letter or an option's text)."""

    line: int
    source: str
    prompt: str | None = None
    expected: str | None = None
    tag: str | None = None
    name: str | None = None
    answers: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    hint: str | None = None
    locate: LocateTask | None = None
    # The page or frames it names of a document or video: page, frames, at (parts.py).
    document: Mapping[str, object] = field(default_factory=dict)


def table_kind(data: bytes) -> TableKind:
    """JSONL when the table starts with an object, else CSV."""
    return "JSONL" if _JSONL_START.match(data) else "CSV"


def where(kind: TableKind, line: int) -> str:
    """How a sentence names a row: "Row 3 of the CSV", "Line 3 of the JSONL"."""
    return f"{'Line' if kind == 'JSONL' else 'Row'} {line} of the {kind}"


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _split(value: object) -> tuple[str, ...]:
    """A list, a {letter: text} object or an "a|b|c" cell as a tuple of texts."""
    if isinstance(value, dict):
        return tuple(str(value[key]).strip() for key in sorted(value))
    if isinstance(value, list):
        return tuple(str(part).strip() for part in value if str(part).strip())
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split("|") if part.strip())
    return ()


def _expected(
    fields: Mapping[str, object], column: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """A row's expected answer and its list of accepted answers: from `column` when one is
    chosen, else from expected, answer or answers, whichever it has first."""
    if column is not None:
        value = fields.get(column)
        # A list, or an answers column's "a|b", is every answer accepted.
        every = _split(value) if isinstance(value, list) or column == "answers" else ()
        return (every[0] if every else _text(value)), every
    answer = fields.get("answer")
    listed = isinstance(answer, list)
    answers = _split(fields.get("answers")) or (_split(answer) if listed else ())
    expected = (
        _text(fields.get("expected"))
        or (None if listed else _text(answer))
        or (answers[0] if answers else None)
    )
    return expected, answers


def _row(
    number: int,
    fields: Mapping[str, object],
    source: str,
    kind: TableKind,
    expected_column: str | None = None,
) -> TableRow:
    options = _split(fields.get("options") or fields.get("choices"))
    if not options:
        # VLMEvalKit's layout: one column per option, A, B, C... up to the first empty one.
        letters = takewhile(lambda letter: _text(fields.get(letter)), string.ascii_lowercase)
        options = tuple(str(fields[letter]).strip() for letter in letters)
    expected, answers = _expected(fields, expected_column)
    return TableRow(
        line=number,
        source=source,
        prompt=_text(fields.get("prompt")) or _text(fields.get("question")),
        expected=expected,
        tag=_text(fields.get("tag")) or _text(fields.get("category")),
        name=_text(fields.get("id")) or _text(fields.get("index")),
        answers=answers if len(answers) > 1 else (),
        options=options,
        hint=_text(fields.get("hint")),
        locate=locate_task(fields, where(kind, number)),
        document={key: fields[key] for key in ("page", "frames", "at") if fields.get(key)},
    )


def _text_of(data: bytes) -> io.TextIOWrapper:
    """The table as text read a line at a time (bytes that are not UTF-8 read as U+FFFD)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")


def table_rows(data: bytes, expected_column: str | None = None) -> Iterator[TableRow]:
    """The image rows of a CSV with an image (or url, path, file) column, else one image per
    line; or, when the table is JSON Lines, one row per object. Each row's expected answer is
    in `expected_column` when one is chosen. Raises RequestError at the first line of a JSONL
    that is not an object naming an image."""
    if table_kind(data) == "JSONL":
        yield from _jsonl_rows(data, expected_column)
    else:
        yield from _csv_rows(data, expected_column)


def table_columns(data: bytes) -> tuple[str, ...]:
    """The names of a table's columns in lower case: a CSV's header (none for a list of
    URLs), or the fields of a JSONL's first objects, in the order they come."""
    if table_kind(data) == "JSONL":
        names: dict[str, None] = {}
        objects = jsonl_objects(_text_of(data), named="the JSONL", then="upload it again")
        try:
            for _, fields in islice(objects, COLUMNS_READ):
                names.update(dict.fromkeys(fields))
        except RequestError:
            pass  # the scan says what is wrong with the line
        return tuple(names)
    rows = (row for row in csv.reader(_text_of(data)) if any(cell.strip() for cell in row))
    header = [cell.strip().lower() for cell in next(rows, [])]
    return tuple(header) if any(name in header for name in IMAGE_COLUMNS) else ()


def first_rows(data: bytes, count: int, expected_column: str | None = None) -> list[TableRow]:
    """The table's first `count` image rows, reading no further (a preview); a line the scan
    refuses ends them early."""
    found: list[TableRow] = []
    try:
        for row in table_rows(data, expected_column):
            if len(found) == count:
                break
            found.append(row)
    except RequestError:
        pass  # the scan says what is wrong with the line
    return found


def _csv_rows(data: bytes, expected_column: str | None) -> Iterator[TableRow]:
    rows = (row for row in csv.reader(_text_of(data)) if any(cell.strip() for cell in row))
    first = next(rows, None)
    if first is None:
        return
    header = [cell.strip().lower() for cell in first]
    column = next((header.index(name) for name in IMAGE_COLUMNS if name in header), None)
    if column is None:
        # No header: one image (a URL, or an uploaded file or path) per line, in the first column.
        for number, row in enumerate(chain((first,), rows), start=1):
            if row[0].strip():
                yield TableRow(line=number, source=row[0].strip())
        return
    for number, row in enumerate(rows, start=2):
        fields = {name: cell.strip() for name, cell in zip(header, row, strict=False)}
        source = fields.get(header[column], "")
        if source:
            yield _row(number, fields, source, "CSV", expected_column)


def _jsonl_rows(data: bytes, expected_column: str | None) -> Iterator[TableRow]:
    for number, lowered in jsonl_objects(_text_of(data), named="the JSONL", then="upload it again"):
        source = next(
            (_text(lowered.get(name)) for name in IMAGE_COLUMNS if lowered.get(name)), None
        )
        if source is None:
            raise RequestError(
                f"Line {number} of the JSONL names no image; give it an image or url field."
            )
        yield _row(number, lowered, source, "JSONL", expected_column)


# A preview's columns: line and image always, each other one only when some row fills it.
PREVIEW_COLUMNS = ("line", "image", "question", "expected", "options", "tag")
ALWAYS_SHOWN = ("line", "image")


def _preview_row(row: TableRow) -> dict[str, str | int]:
    return {
        "line": row.line,
        "image": row.source,
        "question": row.prompt or (row.locate.target if row.locate else ""),
        "expected": row.expected or "",
        "options": " | ".join(row.options),
        "tag": row.tag or "",
    }


def preview_rows(rows: Sequence[TableRow]) -> list[dict[str, str | int]]:
    """The rows as a preview shows them: their line, image, question (a grounding row's
    expression), expected answer, options and tag, leaving out a column no row fills."""
    shaped = [_preview_row(row) for row in rows]
    shown = [
        column
        for column in PREVIEW_COLUMNS
        if column in ALWAYS_SHOWN or any(row[column] for row in shaped)
    ]
    return [{column: row[column] for column in shown} for row in shaped]
