"""An uploaded table at a glance before the run: what its one pass counted (rows, expected
answers, questions of their own, multiple choice, boxes), its first rows, and beside the prompt
which of the batch's images the prompt still goes to."""

from __future__ import annotations

import streamlit as st

from vision.batch.items.table_scan import TableScan, table_summary
from vision.batch.items.tables import first_rows, preview_rows
from vision.batch.items.uploads import PageTable
from vision.markdown import literal
from vision.words import counted

PREVIEW_ROWS = 5


def table_preview(name: str, table: PageTable) -> None:
    """The table's summary line and its first rows as the batch will read them."""
    scan = table.scan
    st.caption(f":material/table_view: {literal(table_summary(name, scan))}")
    first = first_rows(table.data, PREVIEW_ROWS, table.expected_column)
    rows = preview_rows(first)
    if not rows:
        return
    st.dataframe(
        rows,
        hide_index=True,
        key="batch_table_preview",
        column_config={"line": st.column_config.NumberColumn("line", width="small")},
    )
    if scan.rows > len(rows):
        st.caption(f"The first {len(rows)} of {scan.rows} rows.")


def prompt_note(scan: TableScan | None, others: int) -> None:
    """Beside the prompt: which images ask a question of their own (a table's question or
    prompt column), so the prompt goes only to the others."""
    if scan is None or not scan.prompted:
        return
    if scan.prompted == scan.rows and not others:
        st.caption(
            ":material/info: Every row of the table asks its own question (its question or "
            "prompt column): this prompt is not sent."
        )
        return
    rest = scan.rows - scan.prompted + others
    st.caption(
        f":material/info: {scan.prompted} of the table's {scan.rows} rows ask their own "
        f"question (its question or prompt column); this prompt goes to the other "
        f"{counted(rest, 'image')}."
    )
