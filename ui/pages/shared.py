"""The Shared page: a run or batch someone shared with the team (?run=ID, ?batch=ID), and what
you share yourself, with the links to hand out and a way to stop sharing.

Only signed-in team members get here: the router's sign-in gate runs before any page.
"""

from __future__ import annotations

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.exports import download_buttons
from ui.shared.records import team_records
from ui.shared.store import history_store
from ui.shared.thumbnails import thumbnail_data_url
from vision.api.catalog import short_name
from vision.batch.recorded.naming import batch_title
from vision.errors import HistoryError
from vision.export.runs import usage_line
from vision.markdown import EMPTY_ANSWER, answer_markdown, clip, literal
from vision.team.access import Person
from vision.team.records import TeamRecords
from vision.team.sharing import run_in_link, share, share_link, unshare
from vision.values.run import Run

NOT_SHARED = (
    "This link shows nothing: the {kind} is not shared with the team, or does not exist. "
    "Ask whoever sent it to share it again."
)
RECENT_RUNS = 50


def _run_view(run: Run) -> None:
    with st.container(border=True):
        st.markdown(
            f"**{literal(short_name(run.model))}** · {run.created_at:%Y-%m-%d %H:%M:%S} UTC · "
            f"run {run.id}"
        )
        thumbnails = [thumbnail_data_url(image) for image in run.images if image.thumbnail]
        if thumbnails:
            st.image(thumbnails, width=96)
        st.caption(f"Prompt: {literal(clip(run.prompt, 2000))}")
        if run.failed:
            st.error(run.error or "", icon=":material/error:")
        else:
            st.markdown(answer_markdown(run.answer) or EMPTY_ANSWER)
        st.caption(usage_line(run))


def _owner_name(records: TeamRecords, owner: str, me: Person) -> str:
    if owner == me.workspace:
        return "you"
    return records.people().get(owner, "a team member")


def _show_run(records: TeamRecords, me: Person, link: str) -> None:
    run_id = run_in_link(link)
    found = records.shared_run(run_id) if run_id is not None else None
    own = history_store().get_run(run_id) if run_id is not None else None
    if found is None and own is not None:
        found = (me.workspace, own)
    if found is None:
        st.info(NOT_SHARED.format(kind="run"), icon=":material/link_off:")
        return
    owner, run = found
    st.caption(f"Shared by {literal(_owner_name(records, owner, me))}.")
    _run_view(run)
    download_buttons([run], name=f"run-{run.id}", key="shared_run_export", title=f"Run {run.id}")


def _show_batch(records: TeamRecords, me: Person, batch_id: str) -> None:
    found = records.shared_batches(batch_id, viewer=me.workspace)
    if not found:
        st.info(NOT_SHARED.format(kind="batch"), icon=":material/link_off:")
        return
    for number, batch in enumerate(found):
        runs = list(batch.runs)
        # Named as the Batch page names it; its id beside it, for `vision eval --resume`.
        title = batch_title(batch.kept) if batch.kept else f"Batch {batch_id}"
        st.subheader(literal(title))
        st.caption(
            f"Shared by {literal(_owner_name(records, batch.owner, me))} · {len(runs)} answers · "
            f"batch `{batch_id}`"
        )
        st.dataframe(
            [
                {
                    "item": run.item_name or f"item {run.item_index}",
                    "model": short_name(run.model),
                    "answer": run.error or clip(run.answer, 300),
                    "tokens": run.usage.total_tokens,
                }
                for run in runs
            ],
            hide_index=True,
        )
        download_buttons(runs, name=f"batch-{batch_id}", key=f"shared_batch_{number}", title=title)


def _my_shares(records: TeamRecords, me: Person) -> None:
    store = history_store()
    st.subheader("Share with the team")
    st.caption(
        "Nobody sees your prompts, images or answers unless you share them here. A link works "
        "only for people signed in to this app."
    )
    runs = store.search_runs(limit=RECENT_RUNS)
    run_choice, batch_choice = st.columns(2)
    with run_choice:
        labels = {
            str(run.id): f"run {run.id} · {short_name(run.model)} · {clip(run.prompt, 60)}"
            for run in runs
        }
        picked = st.selectbox(
            "One of your runs",
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            key="share_run_pick",
        )
        st.button(
            "Share this run",
            key="share_run",
            disabled=picked is None,
            on_click=share,
            args=(records, me, "run", picked or ""),
        )
    with batch_choice:
        batches = store.batch_ids()
        chosen = st.selectbox("One of your batches", batches, index=None, key="share_batch_pick")
        st.button(
            "Share this batch",
            key="share_batch",
            disabled=chosen is None,
            on_click=share,
            args=(records, me, "batch", chosen or ""),
        )
    shared = records.shared_by(me.workspace)
    if not shared:
        st.caption("You share nothing yet.")
        return
    for kind, target in shared:
        link, stop = st.columns([6, 1], vertical_alignment="center")
        with link:
            st.code(share_link(str(st.context.url or ""), kind, target), language=None)
        with stop:
            st.button(
                "Stop sharing",
                key=f"unshare_{kind}_{target}",
                on_click=unshare,
                args=(records, me, kind, target),
            )


def render() -> None:
    """Draw the page."""
    me = current_person()
    st.title("Shared")
    try:
        records = team_records()
        run_id = st.query_params.get("run")
        batch_id = st.query_params.get("batch")
        if run_id:
            _show_run(records, me, run_id)
        elif batch_id:
            _show_batch(records, me, batch_id)
        else:
            _my_shares(records, me)
    except HistoryError as err:
        st.error(str(err), icon=":material/error:")


if __name__ == "__main__":
    render()
