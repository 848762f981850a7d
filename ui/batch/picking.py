"""A grid's row read whole below it: a click on the row picks it in a picker under the grid,
and a pick left over from another grid's rows is dropped."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st


def row_clicked(grid_key: str, pick_key: str, picks: Sequence[int] | None = None) -> None:
    """A click on the grid's row picks it in the picker (or, given picks, the entry each row
    shows)."""
    rows = st.session_state[grid_key]["selection"]["rows"]
    if not rows:
        return
    if picks is None:
        st.session_state[pick_key] = rows[0]
    elif rows[0] < len(picks):
        st.session_state[pick_key] = picks[rows[0]]


def pick_entry(
    label: str, count: int, *, key: str, format_func: Callable[[int], str], placeholder: str
) -> int | None:
    """A picker of `count` entries by index, none picked at first; a pick out of range (another
    batch's or grid's) is dropped before it is drawn."""
    if st.session_state.get(key) not in range(count):
        st.session_state.pop(key, None)
    chosen: int | None = st.selectbox(
        label,
        range(count),
        index=None,
        format_func=format_func,
        key=key,
        placeholder=placeholder,
    )
    return chosen
