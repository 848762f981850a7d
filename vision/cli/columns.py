"""Rows printed as a table a terminal reads: each column as wide as its widest cell, text to the
left and numbers to the right, two spaces between columns."""

from __future__ import annotations

from collections.abc import Collection, Sequence

GAP = "  "


def aligned(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Collection[int] = ()
) -> list[str]:
    """The header and the rows as lines of aligned columns; the columns numbered in `right`
    (numbers) are aligned to the right. No line ends in spaces."""
    widths = [max(len(line[index]) for line in (header, *rows)) for index in range(len(header))]
    lines = []
    for line in (header, *rows):
        cells = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        lines.append(GAP.join(cells).rstrip())
    return lines
