"""What every page test needs: the app's path and timeout, and reading the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
TIMEOUT_S = 60

_TEXT_ELEMENTS = ("markdown", "caption", "error", "warning", "info", "success", "title", "toast")


def texts(at: AppTest) -> list[str]:
    """Every piece of text the page shows (markdown, captions, alerts), markdown escapes removed."""
    values: list[str] = []
    for kind in _TEXT_ELEMENTS:
        values.extend(str(element.value) for element in getattr(at, kind))
    return [value.replace("\\", "") for value in values]


def texts_of(elements: Any) -> list[str]:
    """The text of these elements (at.error, at.warning, ...) as shown, markdown escapes removed."""
    return [str(element.value).replace("\\", "") for element in elements]


def table_with(at: AppTest, column: str) -> Any:
    """The first table on the page that has this column."""
    return next(found.value for found in at.dataframe if column in found.value.columns)


def shows(at: AppTest, fragment: str) -> bool:
    """True when some text on the page contains the fragment."""
    return any(fragment in text for text in texts(at))


def walk(node: Any) -> Iterator[Any]:
    """Every element under a node of AppTest's tree, the node first."""
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from walk(child)


def page_dump(at: AppTest) -> str:
    """Everything the page sent to the browser, as text (every element's protobuf)."""
    return "\n".join(str(getattr(node, "proto", "")) for node in walk(at._tree))
