"""One pass over a table uploaded on the Batch page, kept per content: how many rows it has,
what they ask, and what is wrong with it, so a page that runs again (every click) reads a
table it has seen before by its hash alone. The pass stops at the row cap."""

from __future__ import annotations

import hashlib
import threading
from array import array
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from vision.batch.items.parts import check_row_parts
from vision.batch.items.tables import (
    TableKind,
    TableRow,
    table_columns,
    table_kind,
    table_rows,
    where,
)
from vision.errors import RequestError
from vision.limits import MAX_TABLE_ROWS
from vision.scoring.choice import answer_letter
from vision.urls.shape import is_http_url
from vision.words import counted

# Scans remembered for the tables most recently seen, whichever session uploaded them: a scan
# is small (counts and the names its rows give uploads), however large its table.
SCANS_KEPT = 16

TOO_MANY_ROWS = (
    f"This table has more than {MAX_TABLE_ROWS:,} image rows, more than the Batch page takes "
    f"at once: split it into files of at most {MAX_TABLE_ROWS:,} rows, or run it with "
    "`vision eval --images TABLE` (which reads a table of any size a row at a time, and "
    "`--resume` continues it)."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TableScan:
    """What a table holds: its kind, its image rows (and the items they make when asked
    circularly), whether some row is a multiple-choice question, how many rows can be scored
    and ask their own question, its columns, the sentence that stops it
    being used at all, the one that stops circular evaluation, each name its rows give that
    is not an http(s) URL (an upload's, with the first line naming it), and the names more
    than one row gives, by their hash (`hash(name)`: scans live in this process's memory)."""

    kind: TableKind
    rows: int
    rotations: int
    has_options: bool
    # What a preview says of the rows: how many have an expected answer (from the chosen
    # column), reference boxes, or a question of their own (a grounding row's expression is
    # one: the page's prompt goes to neither); and the table's columns.
    expected: int = 0
    boxed: int = 0
    prompted: int = 0
    columns: tuple[str, ...] = ()
    problem: str | None = None
    circular_problem: str | None = None
    uploads_named: Mapping[str, int] = field(default_factory=dict, repr=False)
    shared: frozenset[int] = field(default=frozenset(), repr=False)


class _Tally:
    """The counts of one pass, row by row."""

    def __init__(self, kind: TableKind) -> None:
        self.kind = kind
        self.rows = 0
        self.rotations = 0
        self.has_options = False
        self.expected = self.boxed = self.prompted = 0
        self.circular_problem: str | None = None
        self.uploads_named: dict[str, int] = {}
        # Each row's source as its hash, 8 bytes in an array: the pass holds no text of the
        # rows it has read (a collision would only name two items by their rows).
        self.hashes = array("q")

    def add(self, row: TableRow) -> None:
        if row.locate is not None and is_http_url(row.source):
            raise RequestError(
                f"{where(self.kind, row.line)} asks to locate something in an image given by "
                "URL; boxes are mapped back through the image's own pixels, so upload the file "
                "instead."
            )
        if row.document and is_http_url(row.source):
            raise RequestError(
                f"{where(self.kind, row.line)} names a page or frames of a file given by URL; "
                "upload the file instead."
            )
        if row.document:
            check_row_parts(row.document, row.source, where(self.kind, row.line))
        self.rows += 1
        self.expected += row.expected is not None
        self.boxed += row.locate is not None and bool(row.locate.references)
        self.prompted += row.prompt is not None or row.locate is not None
        self.hashes.append(hash(row.source))
        if not is_http_url(row.source):
            self.uploads_named.setdefault(row.source, row.line)
        if not row.options:
            self.rotations += 1
            return
        self.has_options = True
        if not row.expected:
            self.rotations += 1
            return
        self.rotations += len(row.options)
        if self.circular_problem is None and answer_letter(row.expected, row.options) is None:
            self.circular_problem = (
                f"{where(self.kind, row.line)}: its answer {row.expected!r} names none of its "
                "options."
            )

    def scan(self, problem: str | None, columns: tuple[str, ...]) -> TableScan:
        return TableScan(
            kind=self.kind,
            rows=self.rows,
            rotations=self.rotations,
            has_options=self.has_options,
            expected=self.expected,
            boxed=self.boxed,
            prompted=self.prompted,
            columns=columns,
            problem=problem,
            circular_problem=self.circular_problem,
            uploads_named=self.uploads_named,
            shared=_repeated(self.hashes),
        )


def _repeated(hashes: array[int]) -> frozenset[int]:
    """The values that occur more than once (numpy sorts them without making a Python int of
    each)."""
    import numpy as np

    values, counts = np.unique(np.frombuffer(hashes, dtype=np.int64), return_counts=True)
    return frozenset(int(value) for value in values[counts > 1])


def _scan(data: bytes, expected_column: str | None) -> TableScan:
    tally = _Tally(table_kind(data))
    columns = table_columns(data)
    try:
        for row in table_rows(data, expected_column):
            if tally.rows == MAX_TABLE_ROWS:
                return tally.scan(TOO_MANY_ROWS, columns)
            tally.add(row)
    except RequestError as err:
        return tally.scan(str(err), columns)
    return tally.scan(None, columns)


_SCANS: OrderedDict[tuple[str, str | None], TableScan] = OrderedDict()
_SCANS_LOCK = threading.Lock()


def table_digest(data: bytes) -> str:
    """The hash a table's scan is kept under."""
    return hashlib.sha256(data).hexdigest()


def scan_table(
    data: bytes, digest: str | None = None, expected_column: str | None = None
) -> TableScan:
    """The table's scan with its expected answers read from `expected_column` (None: as the
    table names them): read once per content and column (by its hash, `digest` when already
    known), then served from memory."""
    key = (digest or table_digest(data), expected_column)
    with _SCANS_LOCK:
        found = _SCANS.get(key)
        if found is not None:
            _SCANS.move_to_end(key)
            return found
    # Outside the lock: other sessions' tables need not wait for it.
    scanned = _scan(data, expected_column)
    with _SCANS_LOCK:
        _SCANS[key] = scanned
        while len(_SCANS) > SCANS_KEPT:
            _SCANS.popitem(last=False)
    return scanned


def table_summary(name: str, scan: TableScan) -> str:
    """The table in one line: "t.csv: 6 rows, 6 with expected answers, 6 with a question of
    their own"."""
    parts = [counted(scan.rows, "row")]
    parts.append(f"{scan.expected or 'none'} with expected answers")
    if scan.boxed:
        parts.append(f"{scan.boxed} with reference boxes")
    if scan.prompted:
        parts.append(f"{scan.prompted} with a question of their own")
    if scan.has_options:
        parts.append("multiple choice")
    return f"{name}: " + ", ".join(parts)
