"""Cells for CSV files that people open in a spreadsheet."""

from __future__ import annotations

from typing import Any

# Spreadsheets run a cell that starts with one of these as a formula; a model's answer can be
# steered by text inside an image, so exported cells are defused with a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The value as CSV text that no spreadsheet runs as a formula ("" for None)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_STARTS) or (text.startswith("-") and text[1:2] not in (" ", "")):
        return "'" + text
    return text
