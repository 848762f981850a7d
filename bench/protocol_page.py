"""The page as a protocol session sees it: the elements its ForwardMsgs drew, the widget values a
browser would send back, the media it would fetch, and whether both answers are finished.

The browser's rules it follows (Streamlit 1.67's frontend): an element lives at its delta path
until a run draws another there or a finished run did not draw it (a fragment's run: only its
fragments' elements); a widget's value is the one the server set or, for a widget not yet seen,
its default; a cacheable message is kept by its hash, and a later `ref_hash` stands for it; a
fragment with `run_every` is run again at that interval until a full run or `stop_auto_rerun`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.Common_pb2 import FileUploaderState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# What both pages draw under a finished answer (ui/playground/column.py's usage line, and
# bench/bare_page.py's last redraw): one per model.
FINISH_MARK = "[finish: "
MEDIA_PREFIX = "/media/"
FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
FRAGMENT_FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


@dataclass(slots=True)
class Drawn:
    """One element on the page and the run that drew it."""

    element: Element
    run: int  # the page's count of runs when it was drawn
    fragment: str = ""  # the fragment that drew it ("" for the page's own run)


def _default_state(widget_id: str, kind: str, proto: Any) -> WidgetState | None:
    """The value a browser reports for a widget it has just drawn, or None for one that reports
    nothing until it is used (buttons, uploaders, cameras)."""
    state = WidgetState(id=widget_id)
    set_value = bool(getattr(proto, "set_value", False))
    if kind == "checkbox":  # toggles too
        state.bool_value = bool(getattr(proto, "value" if set_value else "default"))
    elif kind in ("text_area", "text_input"):
        state.string_value = str(getattr(proto, "value" if set_value else "default"))
    elif kind == "multiselect":
        options = list(proto.options)
        chosen = list(proto.raw_values) if set_value else [options[i] for i in proto.default]
        state.string_array_value.data.extend(chosen)
    elif kind == "slider":
        state.double_array_value.data.extend(getattr(proto, "value" if set_value else "default"))
    elif kind == "number_input":
        if not set_value and not proto.HasField("default"):
            return None  # an empty number input reports nothing
        state.double_value = float(getattr(proto, "value" if set_value else "default"))
    else:
        return None
    return state


@dataclass(slots=True)
class PageView:
    """Everything one session has been sent, as its browser would keep it."""

    session_id: str = ""
    page_hash: str = ""
    runs: int = 0  # runs started (new_session messages)
    last_finished_run: int = 0  # the latest run that finished successfully (0: none yet)
    elements: dict[tuple[int, ...], Drawn] = field(default_factory=dict)
    states: dict[str, WidgetState] = field(default_factory=dict)
    cache: dict[str, ForwardMsg] = field(default_factory=dict)
    media: dict[str, bool] = field(default_factory=dict)  # URL -> fetched yet
    upload_urls: list[ForwardMsg] = field(default_factory=list)  # file_urls_response messages
    redirect: str = ""  # where st.login or st.logout sent the browser (auth_redirect), if anywhere
    # The content hash (Streamlit's, metadata left out) last drawn at each place.
    shown: dict[object, str] = field(default_factory=dict)
    # The fragments the running run reruns (none: a full run), and those drawn in it.
    fragments: set[str] = field(default_factory=set)
    # Fragments to run again, each at its interval in seconds.
    auto_reruns: dict[str, float] = field(default_factory=dict)

    def apply(self, message: ForwardMsg) -> bool:
        """Take one message into the page; True when it only repeats what the page already
        shows there (the same element or container at that delta path, the same page config)."""
        repeated = self._repeats(message)
        if message.HasField("ref_hash"):
            cached = self.cache.get(message.ref_hash)
            if cached is None:
                return repeated  # never sent in full to this session: a browser would fetch it
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(message.metadata)
            message = full
        elif message.metadata.cacheable and message.hash:
            self.cache[message.hash] = message
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.runs += 1
            self.session_id = message.new_session.initialize.session_id or self.session_id
            self.page_hash = message.new_session.page_script_hash or self.page_hash
            self.fragments = set(message.metadata.run.fragment_ids)
            if not self.fragments:
                self.auto_reruns.clear()  # a full run registers its timers again
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._draw(
                tuple(message.metadata.delta_path),
                message.delta.new_element,
                message.delta.fragment_id,
            )
        elif kind == "delta" and message.delta.WhichOneof("type") == "add_block":
            path = tuple(message.metadata.delta_path)
            self.elements.pop(path, None)  # a container replaces what was there
        elif kind == "script_finished" and message.script_finished in (FINISHED, FRAGMENT_FINISHED):
            self.last_finished_run = self.runs
            self._drop_stale()
        elif kind == "auto_rerun":
            self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment in message.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment, None)
        elif kind == "file_urls_response":
            self.upload_urls.append(message)
        elif kind == "auth_redirect":
            self.redirect = message.auth_redirect.url
        return repeated

    def _repeats(self, message: ForwardMsg) -> bool:
        kind = message.WhichOneof("type")
        content = message.ref_hash if kind == "ref_hash" else message.hash
        if kind in ("page_config_changed", "navigation"):
            place: object = kind
        elif kind in ("delta", "ref_hash"):
            place = tuple(message.metadata.delta_path)
        else:
            return False
        if not content:
            return False
        repeated = self.shown.get(place) == content
        self.shown[place] = content
        return repeated

    def _draw(self, path: tuple[int, ...], element: Element, fragment: str = "") -> None:
        self.elements[path] = Drawn(element=element, run=self.runs, fragment=fragment)
        if self.fragments and fragment:
            self.fragments.add(fragment)  # a fragment run also redraws those it holds
        kind = element.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(element, kind)
        if kind == "imgs":
            for image in proto.imgs:
                if image.url.startswith(MEDIA_PREFIX):
                    self.media.setdefault(image.url, False)
        widget_id = getattr(proto, "id", "")
        if not widget_id:
            return
        if widget_id not in self.states or getattr(proto, "set_value", False):
            state = _default_state(widget_id, kind, proto)
            if state is not None:
                self.states[widget_id] = state

    def _drop_stale(self) -> None:
        """What a finished run did not draw leaves the page, and so do its widgets' values (a
        fragment's run answers only for its fragments' elements)."""
        stale = [
            path
            for path, drawn in self.elements.items()
            if drawn.run < self.runs and (not self.fragments or drawn.fragment in self.fragments)
        ]
        for path in stale:
            del self.elements[path]
        live = {self.widget(path) for path in self.elements}
        self.states = {key: value for key, value in self.states.items() if key in live}

    def widget(self, path: tuple[int, ...]) -> str:
        """The id of the widget at this path ("" when it is not a widget)."""
        element = self.elements[path].element
        kind = element.WhichOneof("type")
        return str(getattr(getattr(element, kind), "id", "")) if kind else ""

    def widget_id(self, key: str) -> str | None:
        """The id of the widget with this key on the page now (ids end with the key)."""
        for path in self.elements:
            widget_id = self.widget(path)
            if widget_id.endswith(f"-{key}"):
                return widget_id
        return None

    def enabled(self, key: str) -> bool:
        """True when the widget with this key is on the page and not disabled."""
        for drawn in self.elements.values():
            kind = drawn.element.WhichOneof("type")
            proto = getattr(drawn.element, kind) if kind else None
            if proto is not None and str(getattr(proto, "id", "")).endswith(f"-{key}"):
                return not bool(getattr(proto, "disabled", False))
        return False

    def _finish_marks(self, since_run: int) -> list[Drawn]:
        return [
            drawn
            for drawn in self.elements.values()
            if drawn.run > since_run
            and drawn.element.WhichOneof("type") == "markdown"
            and FINISH_MARK in drawn.element.markdown.body
        ]

    def finished_answers(self, since_run: int) -> int:
        """How many finished answers the runs after `since_run` have drawn."""
        return len(self._finish_marks(since_run))

    def answers_run(self, since_run: int) -> int:
        """The run that drew the latest finished answer after `since_run` (0: none)."""
        return max((drawn.run for drawn in self._finish_marks(since_run)), default=0)

    def uploaded(self, widget_id: str, files: FileUploaderState) -> None:
        """The uploader's value once its files are sent, as the browser keeps it."""
        state = WidgetState(id=widget_id)
        state.file_uploader_state_value.CopyFrom(files)
        self.states[widget_id] = state

    def typed(self, widget_id: str, text: str) -> None:
        """A text widget's value once typed and committed."""
        self.states[widget_id] = WidgetState(id=widget_id, string_value=text)

    def picked(self, widget_id: str, options: list[str]) -> None:
        """A multiselect's value once the person has picked these options."""
        state = WidgetState(id=widget_id)
        state.string_array_value.data.extend(options)
        self.states[widget_id] = state

    def unfetched_media(self) -> list[str]:
        """Media URLs drawn but not fetched yet (a browser fetches each once)."""
        return [url for url, fetched in self.media.items() if not fetched]
