"""Batch items from what a page user gives: uploaded files, a list of URLs, or a table (CSV, or
JSON Lines) whose rows may be multiple-choice questions, asked circularly when chosen."""

from __future__ import annotations

import csv
import string
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import takewhile

from vision.batch.items.boxes import locate_task
from vision.batch.items.choices import choice_items
from vision.batch.items.files import jsonl_objects
from vision.errors import RequestError
from vision.urls.shape import is_http_url
from vision.values.batch import BatchItem
from vision.values.grounding import LocateTask

# The column that names an image, in order of preference.
IMAGE_COLUMNS = ("image", "url", "path", "file")


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    """An uploaded image: its file name and bytes."""

    name: str
    data: bytes = field(repr=False)


def _rows(text: str) -> list[list[str]]:
    lines = text.lstrip("\ufeff").splitlines()
    return [row for row in csv.reader(lines) if any(cell.strip() for cell in row)]


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


def _split(value: object) -> tuple[str, ...]:
    """A list, a {letter: text} object or an "a|b|c" cell as a tuple of texts."""
    if isinstance(value, dict):
        return tuple(str(value[key]).strip() for key in sorted(value))
    if isinstance(value, list):
        return tuple(str(part).strip() for part in value if str(part).strip())
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split("|") if part.strip())
    return ()


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _row(number: int, fields: Mapping[str, object], source: str, where: str) -> TableRow:
    options = _split(fields.get("options") or fields.get("choices"))
    if not options:
        # VLMEvalKit's layout: one column per option, A, B, C... up to the first empty one.
        letters = takewhile(lambda letter: _text(fields.get(letter)), string.ascii_lowercase)
        options = tuple(str(fields[letter]).strip() for letter in letters)
    answer = fields.get("answer")
    listed = isinstance(answer, list)
    answers = _split(fields.get("answers")) or (_split(answer) if listed else ())
    expected = (
        _text(fields.get("expected"))
        or (None if listed else _text(answer))
        or (answers[0] if answers else None)
    )
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
        locate=locate_task(fields, where),
    )


def is_jsonl(text: str) -> bool:
    """True when a table's text is JSON Lines (it starts with an object), not CSV."""
    return text.lstrip("\ufeff").lstrip().startswith("{")


def table_rows(text: str) -> list[TableRow]:
    """The image rows of a CSV with an image (or url, path, file) column, else one image per
    line; or, when the text is JSON Lines, one row per object."""
    if is_jsonl(text):
        return _jsonl_rows(text)
    rows = _rows(text)
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in IMAGE_COLUMNS if name in header), None)
    if column is None:
        # No header: one image (a URL, or an uploaded file or path) per line, in the first column.
        return [
            TableRow(line=n, source=row[0].strip())
            for n, row in enumerate(rows, start=1)
            if row[0].strip()
        ]
    table = []
    for number, row in enumerate(rows[1:], start=2):
        fields = {name: cell.strip() for name, cell in zip(header, row, strict=False)}
        source = fields.get(header[column], "")
        if source:
            table.append(_row(number, fields, source, f"Row {number} of the CSV"))
    return table


def _jsonl_rows(text: str) -> list[TableRow]:
    table = []
    lines = text.lstrip("\ufeff").splitlines()
    for number, lowered in jsonl_objects(lines, named="the JSONL", then="upload it again"):
        source = next(
            (_text(lowered.get(name)) for name in IMAGE_COLUMNS if lowered.get(name)), None
        )
        if source is None:
            raise RequestError(
                f"Line {number} of the JSONL names no image; give it an image or url field."
            )
        table.append(_row(number, lowered, source, f"Line {number} of the JSONL"))
    return table


def has_options(table: str) -> bool:
    """True when some row of the table is a multiple-choice question (it lists options)."""
    try:
        return any(row.options for row in table_rows(table))
    except RequestError:
        return False


def batch_items(
    *,
    prompt: str,
    uploads: Sequence[Upload] = (),
    urls: str = "",
    table: str = "",
    tag: str | None = None,
    circular: bool = False,
) -> list[BatchItem]:
    """Items from uploads, URL lines and a table (image or url, prompt or question, expected or
    answer, answers, options, tag, id; or a grounding item's expression, task and boxes); with
    circular, a multiple-choice row is one item per rotation of its options.

    A row names an http(s) URL or an uploaded file: never a path on this machine, since the
    page runs on a server. Uploads the table does not name are added with the prompt.
    """
    if not prompt.strip():
        raise RequestError("Write a prompt for the batch (a CSV prompt column may override it).")
    default_tag = (tag or "").strip() or None
    by_name: Mapping[str, Upload] = {upload.name: upload for upload in uploads}
    items: list[BatchItem] = []
    named: set[str] = set()
    rows = table_rows(table)
    # Rotations are grouped by name, so two questions on one image need names of their own.
    shared = {source for source, count in Counter(row.source for row in rows).items() if count > 1}
    kind = "JSONL" if is_jsonl(table) else "CSV"
    for row in rows:
        where = f"{'Line' if kind == 'JSONL' else 'Row'} {row.line} of the {kind}"
        image: bytes | str
        if is_http_url(row.source) and row.locate is not None:
            raise RequestError(
                f"{where} asks to locate something in an image given by URL; boxes are mapped "
                "back through the image's own pixels, so upload the file instead."
            )
        if is_http_url(row.source):
            image = row.source
        elif row.source in by_name:
            image = by_name[row.source].data
            named.add(row.source)
        else:
            raise RequestError(
                f"{where} names {row.source!r}, which is neither an http(s) URL nor an "
                "uploaded file; upload that file or use its URL."
            )
        question = row.prompt or prompt
        name = row.name or (
            f"{row.source} (row {row.line})" if row.source in shared else row.source
        )
        item = BatchItem(
            image=image,
            prompt=row.locate.target if row.locate is not None else question,
            name=name,
            expected=row.expected,
            answers=row.answers,
            choices=row.options,
            tag=row.tag or default_tag,
            locate=row.locate,
        )
        items.extend(choice_items(item, question, hint=row.hint, circular=circular, where=where))
    items.extend(
        BatchItem(image=upload.data, prompt=prompt, name=upload.name, tag=default_tag)
        for upload in uploads
        if upload.name not in named
    )
    for line in dict.fromkeys(line.strip() for line in urls.splitlines()):
        if not line:
            continue
        if not is_http_url(line):
            raise RequestError(
                f"{line!r} is not an http(s) URL; put one image URL per line, or upload the file."
            )
        items.append(BatchItem(image=line, prompt=prompt, name=line, tag=default_tag))
    return items
