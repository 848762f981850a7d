"""Sharing a run or batch with the team where it is shown: Share, the link to hand out, Stop
sharing. Drawn only when sign-in is configured; single-user mode has no team to share with."""

from __future__ import annotations

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.records import team_records
from vision.errors import HistoryError
from vision.team.sharing import share, share_link, unshare
from vision.values.sharing import ShareKind


def share_control(kind: ShareKind, target: str | int, *, key: str) -> None:
    """In team mode, Share for this run or batch, or its link and Stop sharing once shared."""
    me = current_person()
    if not me.signed_in:
        return
    try:
        records = team_records()
        shared = records.is_shared(me.workspace, kind, target)
    except HistoryError as err:
        st.error(str(err), icon=":material/error:")
        return
    if not shared:
        st.button(
            f"Share this {kind} with the team",
            key=f"{key}_share",
            icon=":material/share:",
            help="Gives a link that anyone signed in to this app can open, until you stop sharing.",
            on_click=share,
            args=(records, me, kind, target),
        )
        return
    st.caption(f"Shared: anyone signed in to this app can open this {kind} with the link.")
    link, stop = st.columns([6, 1], vertical_alignment="center")
    with link:
        st.code(share_link(str(st.context.url or ""), kind, target), language=None)
    with stop:
        st.button(
            "Stop sharing",
            key=f"{key}_unshare",
            icon=":material/link_off:",
            on_click=unshare,
            args=(records, me, kind, target),
        )
