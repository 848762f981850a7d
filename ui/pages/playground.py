"""The Playground page: images and a question in, the chosen models' answers side by side."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ui.playground.answers import answers_area, resume_interrupted, start_conversation
from ui.playground.browser import drop_and_paste, page_style
from ui.playground.cards import draw_cards
from ui.playground.documents import draw_pickers, pages_and_frames
from ui.playground.llama_mode import choose_llama_mode
from ui.playground.preflight import draw_preflight
from ui.playground.question import Asking, choose_question
from ui.playground.reopen import reopen_offer
from ui.playground.strip import draw_strip
from ui.shared.backend import ECHO_LABEL, client_for, configured_settings
from ui.shared.models import catalog_for, forget_catalog, pick_models, unavailable_models
from ui.shared.parameters import choose_parameters, choose_url_mode
from ui.shared.session import (
    ASKED_IMAGES_KEY,
    CARDS_OPEN_KEY,
    CONVERSATION_KEY,
    LIVE_KEY,
    REOPEN_NOTES_KEY,
    SEND_REQUESTED_KEY,
    attachments,
    connection,
    kept,
    preparation_cache,
    stitch_cache,
)
from ui.shared.sidebar import choose_backend
from ui.shared.spending import budget_note, send_budget_blocker
from vision.api.catalog import Catalog
from vision.chat.attachments import url_lines
from vision.chat.clicks import SendClicks
from vision.chat.live import LiveAnswers
from vision.chat.plan import RunPlan, plan_run
from vision.chat.preparation import ImageStatus, prepare_all
from vision.chat.readiness import asked_prompt, send_blocker, send_notice
from vision.connection import Backend, api_host, loopback_urls_allowed
from vision.errors import RequestError
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.markdown import literal
from vision.settings_variables import API_KEY_VARIABLE
from vision.urls.sending import DEFAULT_URL_MODE, URLMode
from vision.values.request import RequestOptions


def _streaming(run: LiveAnswers | None) -> bool:
    return run is not None and run.running


def _send_clicks() -> SendClicks:
    """The session's Send clicks: at most one run at a time, however often it is clicked."""
    return kept(SEND_REQUESTED_KEY, SendClicks)


def _uploader_changed() -> None:
    """A file taken out of the uploader's list with its × leaves the page too."""
    attachments().uploader_changed(st.session_state.get("images") or [])


def _hidden_uploads(uploads: Sequence[UploadedFile]) -> None:
    """Say which uploads are off the page but still in the uploader's list (code cannot take a
    file out of it), each with the way back."""
    kept_images = attachments()
    for upload in kept_images.hidden_uploads(uploads):
        note, back = st.columns([5, 1], vertical_alignment="center")
        with note:
            st.caption(
                f":material/visibility_off: {literal(upload.name)} is off the page and will "
                "not be sent; it stays in the list above until you press its ×."
            )
        with back:
            st.button(
                "Put back",
                key=f"put_back:{upload.file_id}",
                on_click=kept_images.put_back,
                args=(f"file:{upload.file_id}",),
                type="tertiary",
            )


def _image_inputs() -> tuple[list[UploadedFile], list[str], URLMode]:
    """Uploader (images dropped anywhere or pasted go there too), URL box (and how URLs
    travel) and camera; returns uploads, URLs and the mode."""
    uploads = st.file_uploader(
        "Images",
        key="images",
        accept_multiple_files=True,
        on_change=_uploader_changed,
        help=f"JPEG, PNG, WEBP, GIF, HEIC and more; up to {MAX_IMAGES_PER_REQUEST} per request. "
        "A PDF or TIFF gives a card per page, a video a card per frame. Each is checked and "
        "shown below before anything is sent; images stay on this page while you visit the "
        "others.",
    )
    drop_and_paste()
    urls = st.text_area(
        "Image URLs",
        key="image_urls",
        placeholder="https://example.com/photo.jpg (one URL per line)",
        height=68,
        persist_state="session",
    )
    _hidden_uploads(list(uploads or []))
    lines = url_lines(urls)
    url_mode = choose_url_mode() if lines else DEFAULT_URL_MODE
    if st.toggle("Camera", key="camera_on", help="Take a photo with this device's camera."):
        attachments().remember_camera_shot(st.camera_input("Take a photo", key="camera"))
    return list(uploads or []), lines, url_mode


def _backend_badge(backend: Backend | None) -> str:
    """Where requests go, as a badge: the API host, the echo backend, or nowhere yet."""
    if backend is None:
        return ":orange-badge[:material/key_off: No API key]"
    if backend.is_echo:
        return f":blue-badge[:material/science: {ECHO_LABEL}]"
    return f":green-badge[:material/cloud_done: {literal(api_host(backend.base_url))}]"


def _key_help(backend: Backend | None) -> str:
    """How to reach the real models when the page is not using them ("" when it is)."""
    if backend is not None and not backend.is_echo:
        return ""
    if backend is None:
        return (
            f"No API key: paste one in the sidebar, set `{API_KEY_VARIABLE}`, add it to "
            "`.streamlit/secrets.toml`, or turn on the echo backend to try the page offline."
        )
    has_key = configured_settings()[1] is not None or bool(connection().pasted_key)
    how = (
        "turn off the echo backend in the sidebar"
        if has_key
        else f"paste an IO Intelligence API key in the sidebar or set `{API_KEY_VARIABLE}`"
    )
    return f"To ask the real models, {how}."


def _images(statuses: Sequence[ImageStatus]) -> None:
    """The images' cards, or once answers are on screen for these very images, their strip."""
    state = st.session_state
    shown = tuple(status.entry.id for status in statuses)
    answered = state.get(CONVERSATION_KEY) is not None and state.get(LIVE_KEY) is not None
    if statuses and answered and shown == state.get(ASKED_IMAGES_KEY):
        if draw_strip(statuses):
            draw_cards(statuses)
        return
    draw_cards(statuses)


def render() -> None:
    """Draw the page."""
    page_style()
    with st.sidebar:
        backend = choose_backend()
    st.title("Vision Playground")
    # One line says where requests go (and, off the real API, how to get there): on a phone
    # the prompt and Send must stay near the top.
    st.caption(
        _backend_badge(backend)
        + " "
        + (_key_help(backend) or "Ask vision models about your images, side by side.")
    )
    for note in st.session_state.pop(REOPEN_NOTES_KEY, None) or ():
        st.warning(note, icon=":material/image_not_supported:")
    offer = st.container()

    images_panel, ask_panel = st.columns([5, 7], gap="large")
    with images_panel:
        uploads, urls, url_mode = _image_inputs()
    with ask_panel:
        asking = choose_question()
        catalog = None
        models: list[str] = []
        if backend is not None:
            catalog = catalog_for(client_for(backend), backend.identity)
            picker, refresh = st.columns([10, 2], vertical_alignment="bottom", wrap=False)
            with picker:
                models = pick_models(
                    catalog,
                    help_text="Each chosen model answers in its own column, all at the same time.",
                )
            with refresh:
                st.button(
                    "Refresh",  # read aloud as a word, not as "refresh icon"
                    key="refresh_models",
                    icon=":material/refresh:",
                    on_click=forget_catalog,
                    help="Read the model list again.",
                )
            if catalog.problem:
                st.info(
                    f"{catalog.problem} Showing the two documented vision models instead.",
                    icon=":material/cloud_off:",
                )
        else:
            unavailable_models()
        notes = st.container()
        # Send wide enough for its shortcut hint, Parameters for its name, even with the
        # sidebar open on a small laptop; what stops Send is said on the line beneath.
        send_slot, params_slot = st.columns([3, 2], vertical_alignment="center")
        with params_slot:
            options, qwen_budget = choose_parameters(models=models, catalog=catalog)
        why_slot = st.container()
    images_area = st.container()

    with images_area, st.spinner("Checking images…", show_time=True):
        attached = attachments().gather(uploads, urls)
        expanded, unread = pages_and_frames(attached)
        statuses = prepare_all(
            preparation_cache(),
            expanded.entries,
            models,
            allow_loopback=loopback_urls_allowed(),
            qwen_token_budget=qwen_budget,
            url_mode=url_mode,
        )
    plan = _plan(asking, catalog, models, options, statuses, notes, backend)
    blocked = send_blocker(
        connected=backend is not None,
        catalog=catalog,
        models=models,
        prompt=asking.checked_text,
        statuses=statuses,
        plan=plan,
    )
    reason = blocked or send_budget_blocker(backend, plan)
    # A click stays waiting until its run has started or the page has said why not, however
    # often a rerun (under load: another widget, an upload, a reconnect) cuts a run short.
    clicks = _send_clicks()
    resume_interrupted(st.session_state)
    refused = None
    if clicks.settle(st.session_state.get(LIVE_KEY)):
        if reason is None and backend is not None and plan is not None:
            _start_run(backend, plan, statuses, clicks, asking)
        else:
            refused = reason
            clicks.refuse()
    current: LiveAnswers | None = st.session_state.get(LIVE_KEY)
    busy = _streaming(current)
    with send_slot:
        st.button(
            "Send",
            key="send",
            type="primary",
            icon=":material/send:",
            disabled=busy or reason is not None,
            on_click=clicks.click,
            width="stretch",
            shortcut="Mod+Enter",  # Ctrl+Enter (Cmd+Enter on a Mac), also from the prompt
        )
    with why_slot:
        if busy:
            st.caption("The models are answering: stop one or all above their answers.")
        elif refused:
            st.caption(f":material/block: Not sent: {literal(refused)}")
        elif reason:
            st.caption(f":material/block: {literal(reason)}")
        elif notice := (None if asking.locate else send_notice(statuses, asking.prompt)):
            st.caption(f":material/info: {literal(notice)}")
    if clicks.take_repeated():
        st.toast("Already sending: the first click is the one that counts.")
    with offer:
        reopen_offer(
            client_for(backend) if backend is not None else None,
            empty=not statuses and current is None,
        )
    with images_area:
        draw_pickers(attached, expanded, unread)
        _images(statuses)
    # Send's state and the answers' redraws from one reading: answers finishing in between
    # would leave Send disabled with nothing left to run the page again.
    answers_area(backend, catalog, streaming=busy)


def _plan(
    asking: Asking,
    catalog: Catalog | None,
    models: list[str],
    options: RequestOptions,
    statuses: Sequence[ImageStatus],
    notes: DeltaGenerator,
    backend: Backend | None,
) -> RunPlan | None:
    """What Send would send, with the preflight of each chosen model drawn in `notes`."""
    if catalog is None:
        return None
    sendable = sum(1 for status in statuses if status.sendable)
    try:
        prompt = asked_prompt(asking.prompt, images=sendable)
    except RequestError:
        prompt = asking.prompt  # nothing to ask yet: send_blocker says what is missing
    with notes:
        llama_mode = choose_llama_mode(models, statuses)
        plan = plan_run(
            stitch_cache(),
            catalog=catalog,
            models=models,
            prompt=prompt,
            options=options,
            statuses=statuses,
            llama_mode=llama_mode,
            locate=asking.locate,
        )
        draw_preflight(catalog, models, statuses, plan, client_for(backend) if backend else None)
        budget_note(backend)
    return plan


def _start_run(
    backend: Backend,
    plan: RunPlan,
    statuses: Sequence[ImageStatus],
    clicks: SendClicks,
    asking: Asking,
) -> None:
    start_conversation(
        st.session_state,
        client_for(backend),
        plan.requests,
        statuses,
        sent=[ask.sent for ask in plan.asks],
        labels=[ask.label for ask in plan.asks],
        attached=[ask.attached for ask in plan.asks],
        claim=clicks.claim,
        locate=asking.locate,
    )
    clicks.settle(st.session_state.get(LIVE_KEY))
    # The answers' own question: its images give way to a strip, the cards a click away.
    st.session_state[ASKED_IMAGES_KEY] = tuple(status.entry.id for status in statuses)
    st.session_state[CARDS_OPEN_KEY] = False


if __name__ == "__main__":
    render()
