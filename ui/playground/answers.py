"""The answers area of the Playground: start a conversation on Send, show one brought back from
the history, continue it from the chat box, stop, copy and regenerate answers, compare two,
export.

It is a fragment of its own, and the answers stream inside a smaller one that redraws only their
text, five times a second or less often when many people's answers stream on this server
(vision.chat.redraw): a Send's run ends at once, so nothing else on the page is redrawn
while the models answer, and a click anywhere (Stop, Parameters) lands on a page that holds
still. When the last answer is in, one run of the whole page brings Send back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.playground.browser import scroll_here
from ui.playground.column import draw_answer
from ui.playground.conversation import asked, draw_columns, show_earlier
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
from vision.chat.preparation import ImageStatus
from vision.chat.questions import follow_up_question, sent_question
from vision.chat.readiness import asked_prompt
from vision.chat.redraw import STREAMING, redraw_interval
from vision.chat.reopened import regenerated
from vision.connection import Backend
from vision.errors import HistoryError, VisionError
from vision.history.store import HistoryStore
from vision.values.grounding import LocateTask
from vision.values.request import ChatRequest
from vision.values.run import RunContext, RunKind

# Kept answers reach their columns on a thread, at once: the page waits for them this long.
KEPT_WAIT_S = 2.0


def _open_history() -> tuple[HistoryStore | None, str | None]:
    try:
        return history_store(), None
    except HistoryError as err:
        return None, str(err)


def keeping() -> Keeping:
    """Where this session's answers are kept: the history (or why not) and the calibrator."""
    store, problem = _open_history()
    return Keeping(store=store, problem=problem, calibrator=page_calibrator())


def _begin(
    conversation: Conversation,
    client: VisionClient,
    question: Question,
    *,
    kind: RunKind,
    locate: LocateTask | None = None,
) -> LiveAnswers:
    """Add an exchange to the conversation, its answers made but not started (see _go)."""
    exchange = Exchange(
        question,
        context=RunContext(kind=kind, conversation_id=conversation.id, locate=locate),
        keeping=keeping(),
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


def _keep_earlier(state: SessionState, conversation: Conversation) -> None:
    """Put a conversation first among the earlier ones (newest first, a few)."""
    earlier: list[Conversation] = state.setdefault(EARLIER_KEY, [])
    earlier.insert(0, conversation)
    del earlier[EARLIER_LIMIT:]


def _archive(state: SessionState) -> None:
    """Move the conversation on screen to the earlier runs (newest first)."""
    current: Conversation | None = state.pop(CONVERSATION_KEY, None)
    if current is not None:
        _keep_earlier(state, current)


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
    locate: LocateTask | None = None,
) -> None:
    """A new Send: the answers on screen become earlier runs, and the models start answering.

    `sent` gives each request's images when they differ from "every image" (a stitched grid,
    one request per image, unchecked URLs); `labels` names such requests in their columns;
    `claim` learns of the answers before anything is published (SendClicks.claim); `locate` is
    what a Locate question asked to find.
    """
    conversation = Conversation()
    question = sent_question(requests, statuses, sent=sent, labels=labels, attached=attached)
    live = _begin(conversation, client, question, kind="single", locate=locate)
    if claim is not None:
        claim(live)
    # Cut short from here on, the next run finds the click's answers (SendClicks.settle) or
    # this conversation with answers not started (resume_interrupted), or nothing changed.
    _archive(state)
    state[CONVERSATION_KEY] = conversation
    _go(state, live)


def show_brought_back(
    state: SessionState, conversation: Conversation, client: VisionClient | None
) -> None:
    """Put a conversation brought back from the history on screen: its kept answers at once, and
    any column asked anew streaming beside them."""
    latest = conversation.latest
    live = latest.prepare(client).live
    assert live is not None  # made by prepare
    _archive(state)
    state[CONVERSATION_KEY] = conversation
    _go(state, live)
    if all(latest.kept(index) is not None for index in range(len(latest.models))):
        live.wait(KEPT_WAIT_S)  # nothing is asked: the kept answers are in at once


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
    try:
        prompt = asked_prompt(value.text, images=len(files))
    except VisionError as err:
        return str(err)
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
    question = follow_up_question(conversation, requests, images, [file.name for file in files])
    live = _begin(conversation, client_for(backend), question, kind="turn")
    _go(state, live)
    st.rerun()  # the whole page, so the new answers' redraws start
    return None  # not reached


def _regenerate(
    backend: Backend | None, conversation: Conversation
) -> Callable[[int], Callable[[], None] | None]:
    """Each column's Regenerate: the newest question asked of that model again, the other
    answers kept; the answers it replaces stay among the earlier ones, to compare."""

    def action(index: int) -> Callable[[], None] | None:
        if backend is None:
            return None

        def again() -> None:
            state = st.session_state
            old = conversation.latest
            fresh = regenerated(old, index)
            _keep_earlier(state, Conversation(id=conversation.id, exchanges=[old]))
            conversation.exchanges[-1] = fresh
            live = fresh.prepare(client_for(backend)).live
            assert live is not None  # made by prepare
            _go(state, live)

        return again

    return action


def _stops(live: LiveAnswers) -> Callable[[int], Callable[[], None] | None]:
    def action(index: int) -> Callable[[], None] | None:
        return lambda: live.stop(index)

    return action


def _rerun_note(exchange: Exchange) -> str | None:
    """For a kept answer asked again beside itself, where the new one was saved."""
    pair = exchange.asked_again()
    if pair is None:
        return None
    kept, fresh = pair
    if fresh is None or not fresh.id:
        return f"Asking again beside run {kept.id} as it was…"
    return f"Rerun saved as run {fresh.id}, beside run {kept.id} as it was."


def _draw_newest(exchange: Exchange, slots: Sequence[DeltaGenerator]) -> bool:
    """The newest answers, drawn into their columns; whether they are all in."""
    assert exchange.live is not None
    snapshot = exchange.live.snapshot()
    runs = dict(exchange.indexed_runs())
    for index, (slot, column) in enumerate(zip(slots, snapshot.columns, strict=True)):
        with slot:
            draw_answer(
                column,
                streaming=not snapshot.done,
                saved=runs.get(index),
                key=f"{exchange.id}-{index}",
            )
    return snapshot.done


def _streaming(exchange: Exchange, slots: Sequence[DeltaGenerator]) -> None:
    """The answers as they stream: this alone is redrawn while they stream; once they are
    in, the whole page runs again."""
    if _draw_newest(exchange, slots):
        st.rerun()


def _finished(exchange: Exchange, slots: Sequence[DeltaGenerator]) -> None:
    """The answers once they are in, in a fragment of their own as they streamed."""
    _draw_newest(exchange, slots)


def _answers(backend: Backend | None, catalog: Catalog | None, streaming: bool) -> None:
    """The answers area (a fragment: its buttons rerun only it)."""
    state = st.session_state
    conversation = _current(state)
    earlier: list[Conversation] = state.get(EARLIER_KEY, [])
    if conversation is None:
        st.caption(
            ":material/view_column: The answers appear here, one column per model, "
            "streaming side by side."
        )
        if earlier:
            show_earlier(earlier[0].models, earlier)
        return
    latest = conversation.latest
    live = latest.live
    assert live is not None
    running = live.running
    if running and not streaming:
        st.rerun()  # answers started from here (Regenerate): the page starts their redraws
    exchanges = conversation.exchanges
    scroll_here(conversation.id)  # once per Send, reopened or rerun run; not per follow-up
    heading, stop_all = st.columns([6, 1], vertical_alignment="center")
    with heading:
        first = exchanges[0]
        locate = first.context.locate
        if locate is not None:
            what = "points" if locate.kind == "point" else "boxes"
            st.caption(
                f"Asked where: {asked(locate.target, first.image_names)} · as {what}, each "
                "model in its own family's words"
            )
        else:
            st.caption(f"Asked: {asked(first.prompt, first.image_names)}")
    if running:
        with stop_all:
            st.button(
                "Stop all",
                key=f"stop-all-{latest.id}",
                icon=":material/stop_circle:",
                on_click=live.stop,
                help="Stop every model: what each has said so far is kept, saved as stopped.",
            )
    if note := _rerun_note(latest):
        st.caption(f":material/replay: {note}")
    slots = draw_columns(
        conversation,
        running=running,
        stop=_stops(live),
        regenerate=_regenerate(backend, conversation),
    )
    # Two fragments, not one with its timer turned off (a fragment's id is its function's name
    # and place): a redraw the browser asked for just before the page's full run can reach a
    # busy server after that run ended, and Streamlit drops it only when its fragment is gone.
    # Were it still there, its run would start a fresh script runner and Streamlit would
    # discard what the full run had not sent yet: Send enabled again, lost for good.
    if streaming:
        # Less often when many people's answers stream on this server (vision.chat.redraw).
        every = redraw_interval(STREAMING.now)
        st.fragment(_streaming, run_every=every)(latest, slots)
    else:
        st.fragment(_finished)(latest, slots)
    if running:
        return
    error = live.snapshot().error
    if error is not None:
        st.error(str(error), icon=":material/error:")
    _after(state, conversation, earlier, backend, catalog)


def _after(
    state: SessionState,
    conversation: Conversation,
    earlier: list[Conversation],
    backend: Backend | None,
    catalog: Catalog | None,
) -> None:
    """Under finished answers: what could not be saved, the follow-up box, compare, export."""
    problems = dict.fromkeys(
        problem for exchange in conversation.exchanges if (problem := exchange.save_problem)
    )
    for problem in problems:
        st.warning(f"Not saved to the history: {problem}", icon=":material/database_off:")
    if conversation.from_history:
        st.caption(
            ":material/history: As it was kept in the History. Send asks these models again; "
            "Regenerate asks one of them."
        )
    else:
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
    show_earlier(conversation.models, earlier)


def answers_area(backend: Backend | None, catalog: Catalog | None, *, streaming: bool) -> None:
    """Draw the answers area; while answers stream (as Send was drawn: `streaming`), their
    text redraws itself until the whole page runs again."""
    st.fragment(_answers, key="answers")(backend, catalog, streaming)
