"""The answers area of the Playground: start a conversation on Send, continue it from the chat
box, warn once when the history cannot be written, compare two answers, export."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ui.playground.conversation import show_conversation, show_earlier
from ui.playground.tools import diff_panel, export_panel
from ui.shared.backend import client_for
from ui.shared.calibration import page_calibrator
from ui.shared.session import (
    CONVERSATION_KEY,
    EARLIER_KEY,
    FOLLOW_UP_KEY,
    LIVE_KEY,
    SessionState,
)
from ui.shared.store import history_store
from vision.api.catalog import Catalog
from vision.api.client import VisionClient
from vision.chat.conversation import (
    EARLIER_LIMIT,
    Conversation,
    Exchange,
    Keeping,
    Question,
    SentImage,
    pasted_images,
)
from vision.chat.live import LiveAnswers
from vision.chat.plan import sent_image
from vision.chat.preparation import ImageStatus
from vision.connection import Backend
from vision.errors import HistoryError, VisionError
from vision.history.store import HistoryStore
from vision.values.request import DEFAULT_PROMPT, ChatRequest
from vision.values.run import RunContext, RunKind


def _open_history() -> tuple[HistoryStore | None, str | None]:
    try:
        return history_store(), None
    except HistoryError as err:
        return None, str(err)


def _begin(
    conversation: Conversation, client: VisionClient, question: Question, *, kind: RunKind
) -> LiveAnswers:
    """Add an exchange to the conversation, its answers made but not started (see _go)."""
    store, problem = _open_history()
    exchange = Exchange(
        question,
        context=RunContext(kind=kind, conversation_id=conversation.id),
        keeping=Keeping(store=store, problem=problem, calibrator=page_calibrator()),
    )
    live = exchange.prepare(client).live
    assert live is not None  # made by prepare
    conversation.exchanges.append(exchange)
    return live


def _go(state: SessionState, live: LiveAnswers) -> None:
    """Publish the answers, then start them: a rerun can stop the script at any session-state
    access, and none comes between the two, so no request goes out for answers nobody shows."""
    state[LIVE_KEY] = live
    live.start()


def resume_interrupted(state: SessionState) -> None:
    """Start a Send or follow-up that a rerun cut short after its conversation was on screen."""
    conversation: Conversation | None = state.get(CONVERSATION_KEY)
    if conversation is not None and conversation.exchanges:
        live = conversation.latest.live
        if live is not None and not live.started:
            _go(state, live)


def _archive(state: SessionState) -> None:
    """Move the conversation on screen to the earlier runs (newest first)."""
    current: Conversation | None = state.pop(CONVERSATION_KEY, None)
    if current is not None:
        earlier: list[Conversation] = state.setdefault(EARLIER_KEY, [])
        earlier.insert(0, current)
        del earlier[EARLIER_LIMIT:]


def start_conversation(
    state: SessionState,
    client: VisionClient,
    requests: Sequence[ChatRequest],
    statuses: Sequence[ImageStatus],
    *,
    sent: Sequence[Sequence[SentImage]] | None = None,
    labels: Sequence[str] | None = None,
    attached: Sequence[Sequence[SentImage]] | None = None,
    claim: Callable[[LiveAnswers], None] | None = None,
) -> None:
    """A new Send: the answers on screen become earlier runs, and the models start answering.

    `sent` gives each request's images when they differ from "every image" (a stitched grid,
    one request per image, unchecked URLs); `labels` names such requests in their columns;
    `claim` learns of the answers before anything is published (SendClicks.claim).
    """
    conversation = Conversation()
    images = (
        sent
        if sent is not None
        else [
            [image for status in statuses if (image := sent_image(status, request.model))]
            for request in requests
        ]
    )
    question = Question(
        requests=tuple(requests),
        images=tuple(tuple(per_model) for per_model in images),
        image_names=tuple(status.entry.label for status in statuses),
        labels=tuple(labels) if labels is not None else None,
        attached=tuple(tuple(per_model) for per_model in attached) if attached else None,
    )
    live = _begin(conversation, client, question, kind="single")
    if claim is not None:
        claim(live)
    # Cut short from here on, the next run finds the click's answers (SendClicks.settle) or
    # this conversation with answers not started (resume_interrupted), or nothing changed.
    _archive(state)
    state[CONVERSATION_KEY] = conversation
    _go(state, live)


def _current(state: SessionState) -> Conversation | None:
    """The conversation on screen, unless a reopened run retired it (it dropped LIVE_KEY)."""
    conversation: Conversation | None = state.get(CONVERSATION_KEY)
    if conversation is not None and state.get(LIVE_KEY) is not conversation.latest.live:
        _archive(state)
        return None
    return conversation


def _follow_up(
    state: SessionState, conversation: Conversation, backend: Backend, catalog: Catalog | None
) -> str | None:
    """Send the chat box's question to every model with its own turns; a sentence if it cannot."""
    value = st.chat_input(
        "Ask every model a follow-up (attach or paste images too)…",
        key=FOLLOW_UP_KEY,
        accept_file="multiple",
    )
    if not value:
        return None
    files = list(value.files or [])
    prompt = value.text.strip() or DEFAULT_PROMPT
    images = pasted_images(
        [(file.name, file.getvalue()) for file in files], conversation.models, catalog
    )
    if isinstance(images, str):
        return images
    requests: list[ChatRequest] = []
    for index in range(len(conversation.models)):
        refs = [image.ref for image in images[index]]
        request = conversation.next_request(index, prompt, refs)
        if isinstance(request, VisionError):
            return str(request)
        requests.append(request)
    # A turn carries its conversation's earlier images too: reopened, it comes back whole.
    attached = [
        [*(i for exchange in conversation.exchanges for i in exchange.attached_for(index)), *new]
        for index, new in enumerate(images)
    ]
    question = Question(
        requests=tuple(requests),
        images=tuple(tuple(per_model) for per_model in images),
        image_names=tuple(file.name for file in files),
        labels=conversation.exchanges[0].labels,
        attached=tuple(tuple(per_model) for per_model in attached),
    )
    live = _begin(conversation, client_for(backend), question, kind="turn")
    _go(state, live)
    st.rerun()
    return None  # not reached: the rerun draws the new turn streaming


def answers_area(backend: Backend | None, catalog: Catalog | None) -> bool:
    """Draw the answers area (streaming ones until they finish); True when it streamed, so
    the page brings Send back."""
    state = st.session_state
    conversation = _current(state)
    earlier: list[Conversation] = state.get(EARLIER_KEY, [])
    if conversation is None:
        st.caption(
            ":material/view_column: The answers appear here, one column per model, "
            "streaming side by side."
        )
        show_earlier(earlier)
        return False
    streamed = conversation.latest.running
    show_conversation(conversation, earlier)
    problems = dict.fromkeys(
        problem for exchange in conversation.exchanges if (problem := exchange.save_problem)
    )
    for problem in problems:
        st.warning(f"Not saved to the history: {problem}", icon=":material/database_off:")
    st.caption(
        ":material/swap_horiz: Swap an image or change the prompt above and Send to see new "
        "answers beside these; or continue below, each model with its own conversation."
    )
    if backend is None:
        st.caption("Add an API key in the sidebar, or turn on the echo backend, to continue.")
    else:
        problem = _follow_up(state, conversation, backend, catalog)
        if problem:
            st.error(problem, icon=":material/block:")
    diff_panel(conversation, earlier)
    export_panel(conversation)
    return streamed
