"""Batch items from what a page user gives: uploaded files, a list of URLs, or a CSV table."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vision.batch.runner import BatchItem
from vision.errors import RequestError
from vision.urls.shape import is_http_url

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
    """One image row of a batch CSV: its line number, the image it names, its other columns."""

    line: int
    source: str
    prompt: str | None = None
    expected: str | None = None
    tag: str | None = None


def table_rows(text: str) -> list[TableRow]:
    """The image rows of a CSV with an image (or url, path, file) column; else one per line."""
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
            table.append(
                TableRow(
                    line=number,
                    source=source,
                    prompt=fields.get("prompt") or None,
                    expected=fields.get("expected") or None,
                    tag=fields.get("tag") or None,
                )
            )
    return table


def batch_items(
    *,
    prompt: str,
    uploads: Sequence[Upload] = (),
    urls: str = "",
    table: str = "",
    tag: str | None = None,
) -> list[BatchItem]:
    """Items from uploads, URL lines and a CSV (image or url, prompt, expected, tag).

    A CSV row names an http(s) URL or an uploaded file: never a path on this machine, since
    the page runs on a server. Uploads the table does not name are added with the prompt.
    """
    if not prompt.strip():
        raise RequestError("Write a prompt for the batch (a CSV prompt column may override it).")
    default_tag = (tag or "").strip() or None
    by_name: Mapping[str, Upload] = {upload.name: upload for upload in uploads}
    items: list[BatchItem] = []
    named: set[str] = set()
    for row in table_rows(table):
        image: bytes | str
        if is_http_url(row.source):
            image = row.source
        elif row.source in by_name:
            image = by_name[row.source].data
            named.add(row.source)
        else:
            raise RequestError(
                f"Row {row.line} of the CSV names {row.source!r}, which is neither an http(s) URL "
                "nor an uploaded file; upload that file or use its URL."
            )
        items.append(
            BatchItem(
                image=image,
                prompt=row.prompt or prompt,
                name=row.source,
                expected=row.expected,
                tag=row.tag or default_tag,
            )
        )
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
