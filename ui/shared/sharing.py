"""Sharing a run or batch with the team where it is shown: Share, the link to hand out, Stop
sharing. Drawn only when sign-in is configured; single-user mode has no team to share with."""

from __future__ import annotations

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.team import audit, share_link, team_records
from vision.errors import HistoryError
from vision.history.team import AuditEvent, EventKind, ShareKind, TeamRecords
from vision.team.access import Person


def _event(event: EventKind, me: Person, kind: ShareKind, target: str | int) -> AuditEvent:
    return AuditEvent(
        event=event,
        workspace=me.workspace,
        email=me.email,
        run_id=int(target) if kind == "run" else None,
        batch_id=str(target) if kind == "batch" else None,
    )


def share(records: TeamRecords, me: Person, kind: ShareKind, target: str | int) -> None:
    """Share one of this person's runs or batches, into the audit trail."""
    if records.share(me.workspace, kind, target):
        audit(_event("share", me, kind, target))


def unshare(records: TeamRecords, me: Person, kind: ShareKind, target: str | int) -> None:
    """Stop sharing it, into the audit trail."""
    if records.unshare(me.workspace, kind, target):
        audit(_event("unshare", me, kind, target))


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
        st.code(share_link(kind, target), language=None)
    with stop:
        st.button(
            "Stop sharing",
            key=f"{key}_unshare",
            icon=":material/link_off:",
            on_click=unshare,
            args=(records, me, kind, target),
        )
