"""Exports on any page: JSON, Markdown and CSV downloads of runs, and "copy as code"."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import streamlit as st

from ui.shared.backend import configured_settings
from ui.shared.session import CODE_KEY
from vision.export.code import API_KEY_ENV, CodeExport, as_curl, as_python
from vision.export.runs import export_csv, export_json, export_markdown
from vision.scoring.checks import CheckKind
from vision.values.request import ChatRequest
from vision.values.run import Run


def download_buttons(
    runs: Sequence[Run], *, name: str, key: str, title: str, check: CheckKind = "contains"
) -> None:
    """Three download buttons (JSON, Markdown, CSV) for these runs; the key is never in them."""
    formats = (
        ("JSON", "json", "application/json", partial(export_json, runs, title=title)),
        ("Markdown", "md", "text/markdown", partial(export_markdown, runs, title=title)),
        ("CSV", "csv", "text/csv", partial(export_csv, runs, check=check)),
    )
    for column, (label, suffix, mime, make) in zip(st.columns(len(formats)), formats, strict=True):
        with column:
            st.download_button(
                label,
                data=make,  # built on click, not on every rerun
                file_name=f"{name}.{suffix}",
                mime=mime,
                key=f"{key}_{suffix}",
                # A click that reran the page would retire the other buttons' files before a
                # second click could fetch one.
                on_click="ignore",
                icon=":material/download:",
                width="stretch",
            )


def code_base_url() -> str:
    """Where generated code sends requests: the configured API, never the local echo."""
    settings, _ = configured_settings()
    return settings.base_url


def _snippets(request: ChatRequest, base_url: str, key: str) -> tuple[CodeExport, CodeExport]:
    """curl and Python for the request, made once per shown request: each decodes its images."""
    cache: dict[str, tuple[ChatRequest, str, CodeExport, CodeExport]]
    cache = st.session_state.setdefault(CODE_KEY, {})
    made = cache.get(key)
    if made is None or made[0] is not request or made[1] != base_url:
        made = (request, base_url, as_curl(request, base_url), as_python(request, base_url))
        cache[key] = made
    return made[2], made[3]


def forget_code(key: str) -> None:
    """Drop a closed panel's snippets (and the image bytes they hold) from the session."""
    st.session_state.get(CODE_KEY, {}).pop(key, None)


def copy_as_code(request: ChatRequest, *, key: str) -> None:
    """The request as curl and as Python `requests`, with image files to save next to them."""
    base_url = code_base_url()
    curl, python = _snippets(request, base_url, key)
    st.caption(
        f"Set `{API_KEY_ENV}` in your shell first: the code reads the key from there. "
        "Each code block has a copy button."
    )
    curl_tab, python_tab = st.tabs(["curl", "Python"])
    with curl_tab:
        st.code(curl.code, language="bash")
    with python_tab:
        st.code(python.code, language="python")
    if curl.files:
        st.caption("Save these images next to the code:")
        for column, (name, data) in zip(st.columns(len(curl.files)), curl.files, strict=True):
            with column:
                st.download_button(
                    name,
                    data=partial(bytes, data),  # handed over on click, not on every rerun
                    file_name=name,
                    key=f"{key}_file_{name}",
                    icon=":material/image:",
                    on_click="ignore",  # as above: several files are saved one after another
                )
