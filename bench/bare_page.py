"""The load benchmarks' baseline: the least a Streamlit page can do for the same session. It has
the Playground's widget keys (`images`, `prompt`, `models`, `send`), names each uploaded photo,
and on Send asks the same API for both models' streaming answers, the photo sent as it came,
redrawn as often as the Playground redraws (vision.chat.redraw), each ending with the finish
badge the benchmarks wait for. Started with `streamlit run bench/bare_page.py` with the API's
address and key in the environment; how slow many of these get on the machine is a floor no
page of ours can beat."""

from __future__ import annotations

import base64
import json
import os
import threading
import time

import requests
import streamlit as st
from PIL import Image
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ui.playground.column import CURSOR
from vision.api.catalog import DOCUMENTED_MODELS
from vision.chat.redraw import STREAMING, redraw_interval
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE

ANSWER_TIMEOUT_S = 120


class Answer:
    """One model's streamed answer, read on a thread of its own."""

    def __init__(self, model: str, prompt: str, photos: list[UploadedFile]) -> None:
        parts: list[dict[str, object]] = [{"type": "text", "text": prompt}]
        for photo in photos:
            url = f"data:{photo.type};base64," + base64.b64encode(photo.getvalue()).decode()
            parts.append({"type": "image_url", "image_url": {"url": url}})
        self.body = {
            "model": model,
            "messages": [{"role": "user", "content": parts}],
            "stream": True,
        }
        self.text = ""
        self.finish = ""
        self.thread = threading.Thread(target=self._read, daemon=True)
        STREAMING.began()
        self.thread.start()

    def _read(self) -> None:
        try:
            self._stream()
        finally:
            STREAMING.ended()

    def _stream(self) -> None:
        with requests.post(
            os.environ[BASE_URL_VARIABLE].rstrip("/") + "/chat/completions",
            json=self.body,
            headers={"Authorization": f"Bearer {os.environ[API_KEY_VARIABLE]}"},
            stream=True,
            timeout=ANSWER_TIMEOUT_S,
        ) as response:
            for line in response.iter_lines():
                if not line.startswith(b"data: {"):
                    continue  # blank lines and the final [DONE]
                for choice in json.loads(line[len(b"data: ") :]).get("choices", []):
                    self.text += choice.get("delta", {}).get("content") or ""
                    self.finish = choice.get("finish_reason") or self.finish

    def markdown(self) -> str:
        """The answer so far, with a cursor while it streams and the badge once it ends."""
        if self.thread.is_alive():
            return self.text + CURSOR
        return f"{self.text} :green-badge[finish: {self.finish or 'not given'}]"


def _stream(answers: list[Answer]) -> None:
    slots = [column.empty() for column in st.columns(len(answers))]
    while any(answer.thread.is_alive() for answer in answers):
        time.sleep(redraw_interval(STREAMING.now))  # the Playground's pace
        for slot, answer in zip(slots, answers, strict=True):
            slot.markdown(answer.markdown())
    for slot, answer in zip(slots, answers, strict=True):
        slot.markdown(answer.markdown())


st.title("Bare page")
uploads = st.file_uploader("Images", key="images", accept_multiple_files=True) or []
for upload in uploads:
    with Image.open(upload) as image:  # the header only: no pixels are decoded
        st.caption(f"{image.format} · {image.width}×{image.height}")
prompt = st.text_area("Prompt", key="prompt")
models = st.multiselect("Models", DOCUMENTED_MODELS, default=DOCUMENTED_MODELS, key="models")
if st.button("Send", key="send"):
    _stream([Answer(model, prompt, uploads) for model in models])
