"""Tools under the answers: a word diff between any two answers, exports of the conversation, and
in team mode a share link for each answer."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.exports import copy_as_code, download_buttons
from ui.shared.session import DIFF_NEWEST_KEY, DIFF_TOGGLE_KEY
from ui.shared.sharing import share_control
from vision.api.catalog import compact_name, short_name
from vision.chat.conversation import Conversation, shown_answers
from vision.chat.diff import DiffOp, answer_diff, similarity
from vision.markdown import clip, literal
from vision.values.run import Run

_STYLE: dict[DiffOp, str] = {
    "insert": '<ins style="background:rgba(33,195,84,.22);text-decoration:none">{}</ins>',
    "delete": '<del style="background:rgba(255,75,75,.22)">{}</del>',
    "equal": "{}",
}


def diff_html(pieces: Sequence[tuple[DiffOp, str]]) -> str:
    """The diff as one line of HTML: every piece escaped, removals struck out, additions marked."""
    spans = []
    for op, text in pieces:
        # One line, no blank lines: markdown leaves an HTML block alone only until a blank line.
        safe = html.escape(text).replace("$", "&#36;").replace("\r", "").replace("\n", "<br>")
        spans.append(_STYLE[op].format(safe))
    return '<div style="line-height:1.7">' + "".join(spans) + "</div>"


def _label(run: Run) -> str:
    return f"{compact_name(run.model)} · {run.created_at:%H:%M:%S} · “{clip(run.prompt, 48)}”"


def diff_panel(conversation: Conversation, earlier: Sequence[Conversation]) -> None:
    """On demand, two answers picked from those on screen and the words that differ."""
    answers = shown_answers([conversation, *earlier])
    if len(answers) < 2:
        return
    # Kept for the session: the panel is not drawn while answers stream.
    if not st.toggle("Compare two answers", key=DIFF_TOGGLE_KEY, persist_state="session"):
        return
    keys = list(answers)
    first = keys[0]
    newest = answers[first].exchange_id
    if st.session_state.get(DIFF_NEWEST_KEY) != newest:
        # A new question was asked: the pickers move to its answers.
        for key in ("diff_a", "diff_b"):
            st.session_state.pop(key, None)
        st.session_state[DIFF_NEWEST_KEY] = newest
    # The models side by side on the newest prompt; else the newest answer against the one
    # before it.
    same_prompt = [
        key
        for key in keys[1:]
        if answers[key].exchange_id == newest and answers[key].run.model != answers[first].run.model
    ]
    second = same_prompt[0] if same_prompt else keys[1]
    left, right = st.columns(2)
    with left:
        a = st.selectbox(
            "Answer A",
            keys,
            index=0,
            key="diff_a",
            format_func=lambda k: _label(answers[k].run),
        )
    with right:
        b = st.selectbox(
            "Answer B",
            keys,
            index=keys.index(second),
            key="diff_b",
            format_func=lambda k: _label(answers[k].run),
        )
    old, new = answers[a].run.answer, answers[b].run.answer
    st.caption(
        f"{similarity(old, new):.0%} alike, word by word · :red[struck out: only in A] · "
        ":green[marked: only in B]"
    )
    with st.container(border=True):
        st.markdown(diff_html(answer_diff(old, new)), unsafe_allow_html=True)


def _share_answers(runs: Sequence[Run]) -> None:
    """In team mode, Share (or the link and Stop sharing) for each saved answer of the last turn."""
    for run in runs:
        if run.id:
            st.caption(f"{literal(short_name(run.model))} · run {run.id}")
            share_control("run", run.id, key=f"playground_run_{run.id}")


def export_panel(conversation: Conversation) -> None:
    """Downloads of the conversation or its last turn, one model's request as code, and in team
    mode each answer's share link."""
    team = current_person().signed_in
    title = (
        "Export, share, or copy a request as code" if team else "Export, or copy a request as code"
    )
    with st.expander(title, icon=":material/ios_share:"):
        if team:
            _share_answers(conversation.latest.runs())
        runs = conversation.runs()
        scope = "conversation"
        if len(conversation.exchanges) > 1:
            choice = st.radio(
                "Export",
                ["The whole conversation", "The last turn only"],
                key="export_scope",
                horizontal=True,
            )
            if choice == "The last turn only":
                runs, scope = conversation.latest.runs(), "turn"
        download_buttons(
            runs,
            name=f"vision-{scope}-{conversation.id[:8]}",
            key="playground_export",
            title=f"Vision Playground {scope}",
        )
        latest = conversation.latest
        labels = latest.labels or ("",) * len(latest.requests)
        names = [
            short_name(request.model) + (f" · {label}" if label else "")
            for request, label in zip(latest.requests, labels, strict=True)
        ]
        index = st.selectbox(
            "Copy as code: the exact request sent to",
            range(len(names)),
            key="code_model",
            format_func=names.__getitem__,
        )
        if st.toggle("Show the code", key="show_code", persist_state="session"):
            copy_as_code(latest.requests[index], key="playground_code")
