"""One person's session spoken in Streamlit's own protocol, as a browser speaks it: the XSRF
cookie, the websocket, the first run, an upload through the URL the server gives, the media the
runs draw, a typed prompt and a Send click; what each step cost in messages and bytes.

Messages and fields are Streamlit 1.67's (`streamlit.proto`); the frontend's behaviour it copies
is described in bench/protocol_page.py.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

from bench.protocol_page import PageView

XSRF_COOKIE = "_streamlit_xsrf"
USER_COOKIE = "_streamlit_user"  # set by /oauth2callback once the provider vouched for someone
# The provider's authorize page: a form whose hidden fields go back with the typed address.
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')
LOAD_TIMEOUT_S = 120.0  # the first run, an upload's run: forty at once on two cores
ANSWER_TIMEOUT_S = 60.0  # a click with no answers by then is unanswered
IDLE_TIMEOUT_S = 60.0
TICK_S = 0.02  # how often the fragments' timers are looked at
MODELS = 2  # both documented models answer every Send


class SessionFailed(Exception):
    """A step of the session did not happen in time; the message says which."""


@dataclass(slots=True)
class Traffic:
    """What the server sent one session during one step."""

    messages: int = 0
    bytes: int = 0
    media_files: int = 0
    media_bytes: int = 0
    repeated: int = 0  # messages that drew again what the page already showed there
    repeated_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Click:
    """One Send click and what came of it."""

    prompt: str
    clicked_at: float  # wall clock, to pair with the echo's arrival times
    answers_s: float | None  # None: unanswered within ANSWER_TIMEOUT_S
    idle_s: float | None  # from the click until the page's run had finished
    traffic: Traffic


class ProtocolSession:
    """A browser tab, without the browser."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.page = PageView()
        self.traffic = Traffic()
        self._http = httpx.AsyncClient(base_url=base_url, timeout=LOAD_TIMEOUT_S)
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._fetches: set[asyncio.Task[None]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._xsrf = ""

    # Connection

    async def open(self) -> Traffic:
        """Take the XSRF cookie, open the websocket, ask for the first run and wait for it."""
        self.traffic = Traffic()
        await self._http.get("/_stcore/health")
        self._xsrf = self._http.cookies.get(XSRF_COOKIE) or ""
        stream = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await connect(
            stream,
            subprotocols=["streamlit", self._xsrf],  # type: ignore[list-item]
            additional_headers={"Cookie": self._cookies(), **self._origin()},
            max_size=None,
            max_queue=None,
            ping_interval=None,  # a browser sends no pings of its own
            proxy=None,
            open_timeout=LOAD_TIMEOUT_S,
        )
        self._reader = asyncio.create_task(self._read(self._ws))
        self._ticker = asyncio.create_task(self._rerun_fragments())
        await self._run_and_wait([])
        return await self._step_done()

    def _cookies(self) -> str:
        """Every cookie the server set this tab (the XSRF one; the sign-in's on a team app)."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self._http.cookies.jar)

    def _origin(self) -> dict[str, str]:
        """A browser's Origin header once signed in: Streamlit reads the sign-in cookie only on
        a websocket whose Origin is the redirect_uri's (a session without one stays signed out)."""
        return {"Origin": self.base_url} if USER_COOKIE in self._http.cookies else {}

    async def sign_in(self, email: str, *, key: str = "sign_in") -> Traffic:
        """On a team app's sign-in screen, sign in as a browser does: click Sign in, follow
        st.login's redirect to the provider, give it the address, come back with the sign-in
        cookie, and load the page again in a new tab's connection."""
        click = WidgetState(id=self._widget(key), trigger_value=True)
        await self._rerun([*self.page.states.values(), click])
        await self._until(lambda: bool(self.page.redirect), LOAD_TIMEOUT_S, "the sign-in address")
        form = await self._http.get(self.page.redirect, follow_redirects=True)
        fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(form.text)}
        back = await self._http.post(form.url.join("/authorize"), data={**fields, "login": email})
        await self._http.get(back.headers.get("location", "/"), follow_redirects=True)
        if self._http.cookies.get(USER_COOKIE) is None:
            raise SessionFailed(f"the sign-in as {email} left no {USER_COOKIE} cookie")
        await self._hang_up()
        self.page = PageView()
        return await self.open()

    async def _hang_up(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        for task in (self._reader, self._ticker):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        for task in list(self._fetches):
            task.cancel()

    async def close(self) -> None:
        """Hang up as a closed tab does."""
        await self._hang_up()
        await self._http.aclose()

    async def _read(self, ws: ClientConnection) -> None:
        """Read every message as it comes (the server drops a client that falls behind)."""
        async for raw in ws:
            if isinstance(raw, str):
                continue
            self.traffic.messages += 1
            self.traffic.bytes += len(raw)
            message = ForwardMsg()
            message.ParseFromString(raw)
            if self.page.apply(message):
                self.traffic.repeated += 1
                self.traffic.repeated_bytes += len(raw)
            for url in self.page.unfetched_media():
                self.page.media[url] = True
                task = asyncio.create_task(self._fetch(url, self.traffic))
                self._fetches.add(task)
                task.add_done_callback(self._fetches.discard)
            self._changed.set()

    async def _fetch(self, url: str, traffic: Traffic) -> None:
        """Fetch a media file as the browser's <img> does."""
        response = await self._http.get(url)
        traffic.media_files += 1
        traffic.media_bytes += len(response.content)

    async def _send(self, message: BackMsg) -> None:
        if self._ws is None:
            raise SessionFailed("the session is not open")
        await self._ws.send(message.SerializeToString())

    async def _until(self, done: Callable[[], bool], timeout_s: float, what: str) -> None:
        """Wait until done() holds after some message, or raise SessionFailed."""
        deadline = time.monotonic() + timeout_s
        while not done():
            left = deadline - time.monotonic()
            if left <= 0 or (self._reader is not None and self._reader.done()):
                raise SessionFailed(f"{what}: not within {timeout_s:.0f} s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                continue

    async def _step_done(self) -> Traffic:
        """Let the step's media fetches finish; its traffic, and a fresh count for the next."""
        if self._fetches:
            await asyncio.gather(*list(self._fetches), return_exceptions=True)
        done, self.traffic = self.traffic, Traffic()
        return done

    # What the browser sends

    async def _rerun(self, widgets: list[WidgetState]) -> int:
        """Ask for a run with these widget values; returns the count of runs before it."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = ""
        state.page_script_hash = self.page.page_hash
        state.widget_states.widgets.extend(widgets)
        state.cached_message_hashes.extend(self.page.cache)
        before = self.page.runs
        await self._send(message)
        return before

    async def _rerun_fragments(self) -> None:
        """Run each fragment with `run_every` again at its interval, as the browser's timers do
        (the Playground's answers stream so)."""
        due: dict[str, float] = {}
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            for fragment, interval in list(self.page.auto_reruns.items()):
                due.setdefault(fragment, now + interval)
                if now >= due[fragment]:
                    due[fragment] = now + interval
                    await self.rerun_fragment(fragment)
            for fragment in [name for name in due if name not in self.page.auto_reruns]:
                del due[fragment]

    async def rerun_fragment(self, fragment: str) -> None:
        """Ask for a run of this fragment as its `run_every` timer does."""
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self.page.page_hash
        state.fragment_id = fragment
        state.is_auto_rerun = True
        state.widget_states.widgets.extend(self.page.states.values())
        state.cached_message_hashes.extend(self.page.cache)
        await self._send(message)

    async def _run_and_wait(self, widgets: list[WidgetState]) -> None:
        before = await self._rerun(widgets)
        await self._until(
            lambda: self.page.last_finished_run > before, LOAD_TIMEOUT_S, "the run to finish"
        )

    def _widget(self, key: str) -> str:
        widget_id = self.page.widget_id(key)
        if widget_id is None:
            raise SessionFailed(f"the page has no widget with the key {key!r}")
        return widget_id

    async def upload(self, name: str, data: bytes, *, key: str = "images") -> Traffic:
        """Upload a file into the uploader as the frontend does, then its rerun."""
        uploader = self._widget(key)
        request_id = uuid.uuid4().hex
        message = BackMsg()
        message.file_urls_request.request_id = request_id
        message.file_urls_request.file_names.append(name)
        message.file_urls_request.session_id = self.page.session_id
        await self._send(message)
        await self._until(
            lambda: any(
                m.file_urls_response.response_id == request_id for m in self.page.upload_urls
            ),
            LOAD_TIMEOUT_S,
            "the upload address",
        )
        answer = next(
            m.file_urls_response for m in self.page.upload_urls
            if m.file_urls_response.response_id == request_id
        )  # fmt: skip
        if answer.error_msg or not answer.file_urls:
            raise SessionFailed(f"no upload address: {answer.error_msg or 'none given'}")
        urls: FileURLs = answer.file_urls[0]
        put = await self._http.put(
            urls.upload_url,
            files={"file": (name, data, "image/jpeg")},
            headers={"X-Xsrftoken": self._xsrf},
        )
        if put.status_code != 204:
            raise SessionFailed(f"the upload was refused ({put.status_code})")
        files = FileUploaderState()
        files.uploaded_file_info.append(
            UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data), file_urls=urls)
        )
        self.page.uploaded(uploader, files)
        await self._run_and_wait(list(self.page.states.values()))
        return await self._step_done()

    async def send(
        self,
        prompt: str,
        *,
        prompt_key: str = "prompt",
        send_key: str = "send",
        answer_timeout_s: float = ANSWER_TIMEOUT_S,
    ) -> Click:
        """Type the prompt, click Send (the prompt's commit on blur, then the click, as a mouse
        does), and wait for both answers and for the page to be idle again."""
        await self._until(lambda: self.page.enabled(send_key), IDLE_TIMEOUT_S, "Send enabled")
        self.page.typed(self._widget(prompt_key), prompt)
        before = await self._rerun(list(self.page.states.values()))
        trigger = WidgetState(id=self._widget(send_key), trigger_value=True)
        clicked_at, start = time.time(), time.perf_counter()
        await self._rerun([*self.page.states.values(), trigger])
        answers_s = idle_s = None
        try:
            await self._until(
                lambda: self.page.finished_answers(before) >= MODELS, answer_timeout_s, "answers"
            )
            answers_s = time.perf_counter() - start
            drew = self.page.answers_run(before)
            await self._until(lambda: self.page.last_finished_run >= drew, IDLE_TIMEOUT_S, "idle")
            idle_s = time.perf_counter() - start
        except SessionFailed:
            pass  # an unanswered click is a figure of the round, not the end of the session
        traffic = await self._step_done()
        return Click(prompt, clicked_at, answers_s, idle_s, traffic)


def session_error(err: BaseException) -> str:
    """A failed session's reason, one line."""
    return f"{type(err).__name__}: {str(err)[:160]}"
