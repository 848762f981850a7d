"""The Admin page: the team key's usage per person and model per day, as a chart and a table,
and the audit trail, both exportable as CSV. Admins only; it shows no prompt, answer or image.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.charts import stacked_bars
from ui.shared.records import team_records
from vision.errors import HistoryError
from vision.team.reports import audit_csv, usage_csv, usage_totals
from vision.values.audit import last_days

RANGES = {"Today": 1, "7 days": 7, "30 days": 30, "90 days": 90}


def render() -> None:
    """Draw the page."""
    if not current_person().is_admin:
        st.info("This page is for the app's admins.", icon=":material/lock:")
        return
    st.title("Usage")
    st.caption(
        "Requests made with the team's key, as the API reported them: tokens and cost per "
        "person, model and day (UTC). Runs made with a person's own key are not counted."
    )
    span = st.segmented_control("Period", list(RANGES), default="7 days", key="admin_period")
    since, until = last_days(RANGES[span or "7 days"])
    try:
        records = team_records()
        rows = records.usage(since=since, until=until)
        events = records.events(since=since, until=until)
    except HistoryError as err:
        st.error(str(err), icon=":material/error:")
        return
    if not rows:
        st.caption("No requests with the team's key in this period.")
    else:
        totals = usage_totals(rows)
        stacked_bars(
            [{"day": day, "person": person, "tokens": tokens}
             for day, per_day in sorted(totals.items())
             for person, tokens in sorted(per_day.items())],
            x="day",
            y="tokens",
            series="person",
        )  # fmt: skip
        st.dataframe(
            [
                {"day": row.day, "person": row.email, "model": row.model,
                 "requests": row.requests, "prompt tokens": row.prompt_tokens,
                 "completion tokens": row.completion_tokens, "tokens": row.tokens,
                 "cost": row.cost}
                for row in rows
            ],
            hide_index=True,
        )  # fmt: skip
    usage_file, audit_file = st.columns(2)
    with usage_file:
        st.download_button(
            "Usage as CSV", data=partial(usage_csv, rows), file_name="usage.csv",
            mime="text/csv", key="admin_usage_csv", on_click="ignore",
            icon=":material/download:", width="stretch",
        )  # fmt: skip
    with audit_file:
        st.download_button(
            "Audit trail as CSV", data=partial(audit_csv, events), file_name="audit.csv",
            mime="text/csv", key="admin_audit_csv", on_click="ignore",
            icon=":material/download:", width="stretch",
        )  # fmt: skip
    st.subheader("Audit trail")
    st.caption("Sign-ins, denials, requests and shares; metadata only, newest first.")
    st.dataframe(
        [
            {"when (UTC)": f"{event.created_at:%Y-%m-%d %H:%M:%S}", "event": event.event,
             "person": event.email or "", "model": event.model or "",
             "tokens": (event.prompt_tokens or 0) + (event.completion_tokens or 0)
             if event.prompt_tokens is not None else None,
             "cost": event.cost, "key": event.key or "", "detail": event.detail or ""}
            for event in events[:500]
        ],
        hide_index=True,
    )  # fmt: skip


if __name__ == "__main__":
    render()
