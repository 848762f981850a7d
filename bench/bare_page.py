"""Section 9's baseline: the least a Streamlit page can do for the same session. It has an
uploader that names the photo, a prompt and Send; Send streams two answers as long and as fast as
the echo's, redrawn as often as the Playground redraws, and ends with the badge the benchmark waits
for. Started with `streamlit run bench/bare_page.py`; how slow twenty of these get on the machine
is a floor no page of ours can beat."""

from __future__ import annotations

import time

import streamlit as st
from PIL import Image

from bench.load_page import ANSWER_CHUNKS, TOKEN_DELAY_S, TTFT_S
from ui.playground.column import REDRAW_INTERVAL_S

# As long as the echo's answer: about 190 characters in 28 pieces.
WORD = "answer "


def _stream(slots: list[st.delta_generator.DeltaGenerator]) -> None:
    text = ""
    time.sleep(TTFT_S)
    drawn = time.monotonic()
    for chunk in range(ANSWER_CHUNKS):
        if chunk:
            time.sleep(TOKEN_DELAY_S)
        text += WORD
        last = chunk == ANSWER_CHUNKS - 1
        if last or time.monotonic() - drawn >= REDRAW_INTERVAL_S:
            drawn = time.monotonic()
            for slot in slots:
                slot.markdown(text + (" :green-badge[finish: stop]" if last else " ▍"))


st.title("Bare page")
upload = st.file_uploader("Images")
if upload is not None:
    with Image.open(upload) as image:  # the header only: no pixels are decoded
        st.caption(f"{image.format} · {image.width}×{image.height}")
st.text_area("Prompt")
if st.button("Send"):
    _stream([column.empty() for column in st.columns(2)])
