"""Batch items from what a page user gives: uploaded files, a list of URLs, or a table (CSV, or
JSON Lines) whose rows may be multiple-choice questions, asked circularly when chosen.

A table is checked once per content (table_scan.py) and its items are made from its bytes as
they are read, so a page that runs again on every click holds no row of it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from vision.batch.items.choices import choice_items
from vision.batch.items.parts import file_parts, part_name, row_parts
from vision.batch.items.table_scan import TableScan, scan_table, table_digest
from vision.batch.items.tables import table_rows, where
from vision.chat.readiness import asked_prompt
from vision.errors import RequestError
from vision.urls.shape import is_http_url
from vision.values.batch import BatchItem
from vision.values.image import SourcePart


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    """An uploaded image: its file name and bytes."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class PageTable:
    """A table uploaded on the page: its bytes, their hash, the column its expected answers
    are read from (None: as the table names them), and what its scan found."""

    data: bytes = field(repr=False)
    digest: str
    scan: TableScan
    expected_column: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PageItems:
    """A page's batch items, made as they are read: the table's rows (with circular, a
    multiple-choice row is one item per rotation of its options), then the uploads the table
    does not name, then the URL lines, these two with the page's expected answer if it has
    one. Checked when made (page_items)."""

    prompt: str
    uploads: tuple[Upload, ...] = ()
    urls: tuple[str, ...] = ()
    table: PageTable | None = None
    tag: str | None = None
    circular: bool = False
    expected: str | None = None

    def __iter__(self) -> Iterator[BatchItem]:
        yield from self._table_items()
        named = self.table.scan.uploads_named if self.table is not None else {}
        for upload in self.uploads:
            if upload.name in named:
                continue
            # A PDF or TIFF is an item per page, a video one item of its frames (parts.py).
            for parts in file_parts(upload.name, partial(_data, upload.data)):
                yield BatchItem(image=upload.data, prompt=self.prompt,
                                name=part_name(upload.name, parts), tag=self.tag,
                                expected=self.expected, parts=parts)  # fmt: skip
        for line in self.urls:
            yield BatchItem(image=line, prompt=self.prompt, name=line, tag=self.tag,
                            expected=self.expected)  # fmt: skip

    def _table_items(self) -> Iterator[BatchItem]:
        if self.table is None:
            return
        scan = self.table.scan
        by_name = {upload.name: upload for upload in self.uploads}
        for row in table_rows(self.table.data, self.table.expected_column):
            image = row.source if is_http_url(row.source) else by_name[row.source].data
            question = row.prompt or self.prompt
            parts: tuple[SourcePart, ...] = ()
            if isinstance(image, bytes):
                read = partial(_data, image)
                parts = row_parts(row.document, row.source, read, where(scan.kind, row.line))
            source = part_name(row.source, parts)
            # Rotations are grouped by name, so two questions on one image need names of their own.
            name = row.name or (
                f"{source} (row {row.line})" if hash(row.source) in scan.shared else source
            )
            item = BatchItem(
                image=image,
                prompt=row.locate.target if row.locate is not None else question,
                name=name,
                expected=row.expected,
                answers=row.answers,
                choices=row.options,
                tag=row.tag or self.tag,
                locate=row.locate,
                parts=parts,
            )
            yield from choice_items(
                item, question, hint=row.hint, circular=self.circular,
                where=where(scan.kind, row.line),
            )  # fmt: skip

    def count(self) -> int:
        """How many items there are (from the table's scan: no row is read; an unnamed PDF or
        TIFF upload counts its pages, a video one)."""
        named = self.table.scan.uploads_named if self.table is not None else {}
        rows = 0
        if self.table is not None:
            rows = self.table.scan.rotations if self.circular else self.table.scan.rows
        unnamed = sum(
            len(file_parts(upload.name, partial(_data, upload.data)))
            for upload in self.uploads
            if upload.name not in named
        )
        return rows + unnamed + len(self.urls)


def url_lines(urls: str) -> tuple[str, ...]:
    """The URL box's lines, stripped, blank ones and repeats left out."""
    return tuple(dict.fromkeys(line.strip() for line in urls.splitlines() if line.strip()))


def outside_table(uploads: Sequence[Upload], urls: str, table: PageTable | None) -> int:
    """How many of a page's images are not the table's rows: the uploads it does not name,
    and the URL lines (they take the page's prompt and expected answer)."""
    named = table.scan.uploads_named if table is not None else {}
    return sum(upload.name not in named for upload in uploads) + len(url_lines(urls))


def read_table(data: bytes, expected_column: str | None = None) -> PageTable | None:
    """An uploaded table with its scan (made once per content and expected column, then found
    by its hash); None when nothing was uploaded."""
    if not data:
        return None
    digest = table_digest(data)
    scan = scan_table(data, digest, expected_column)
    return PageTable(data=data, digest=digest, scan=scan, expected_column=expected_column)


def _check_table(table: PageTable, uploads: Sequence[Upload], circular: bool) -> None:
    scan = table.scan
    if scan.problem:
        raise RequestError(scan.problem)
    if circular and scan.circular_problem:
        raise RequestError(scan.circular_problem)
    uploaded = {upload.name for upload in uploads}
    missing = [(line, name) for name, line in scan.uploads_named.items() if name not in uploaded]
    if missing:
        line, name = min(missing)
        raise RequestError(
            f"{where(scan.kind, line)} names {name!r}, which is neither an http(s) URL nor an "
            "uploaded file; upload that file or use its URL."
        )


def page_items(
    *,
    prompt: str,
    uploads: Sequence[Upload] = (),
    urls: str = "",
    table: PageTable | None = None,
    tag: str | None = None,
    circular: bool = False,
    expected: str | None = None,
) -> PageItems:
    """Items from uploads, URL lines and a table read by read_table (image or url, prompt or
    question, expected or answer, answers, options, tag, id; or a grounding item's expression,
    task and boxes); with circular, a multiple-choice row is one item per rotation of its
    options; `expected` is the answer expected of the uploads and URLs. Raises RequestError
    with what to fix.

    A row names an http(s) URL or an uploaded file: never a path on this machine, since the
    page runs on a server. Uploads the table does not name are added with the prompt.
    """
    if table is not None:
        _check_table(table, uploads, circular)
    lines = url_lines(urls)
    # The Playground's and `vision ask`'s rule: images with no prompt ask the default question.
    prompt = asked_prompt(prompt, images=len(uploads) + len(lines) + (table is not None))
    for line in lines:
        if not is_http_url(line):
            raise RequestError(
                f"{line!r} is not an http(s) URL; put one image URL per line, or upload the file."
            )
    return PageItems(
        prompt=prompt,
        uploads=tuple(uploads),
        urls=lines,
        table=table,
        tag=(tag or "").strip() or None,
        circular=circular,
        expected=(expected or "").strip() or None,
    )


def _data(data: bytes) -> bytes:
    return data
