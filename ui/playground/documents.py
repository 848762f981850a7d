"""A picker above the cards for each attached PDF, TIFF or video: which pages or frames go, with
the sentence saying which were taken when more were asked than a request holds."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.shared.session import attachments, preparation_cache
from vision.chat.attachments import ImageEntry
from vision.chat.documents import Expanded, document_facts, expand_documents, read_choice
from vision.errors import RequestError
from vision.markdown import literal
from vision.values.image import PartChoice

PICKER_PREFIX = "parts:"


def picker_key(entry_id: str) -> str:
    """The picker's widget key for an attached document or video."""
    return PICKER_PREFIX + entry_id


def pages_and_frames(entries: Sequence[ImageEntry]) -> tuple[Expanded, dict[str, str]]:
    """The entries with each document or video as a card per chosen page or frame (what its
    picker says, else its pages up to ten or 8 frames; a page's Remove takes that page off),
    and the sentence for each picker whose text does not read."""
    cache = preparation_cache()
    choices: dict[str, PartChoice] = {}
    problems: dict[str, str] = {}
    for entry in entries:
        text = st.session_state.get(picker_key(entry.id))
        facts = document_facts(cache, entry) if text else None
        if text and facts is not None and facts.kind is not None:
            try:
                choices[entry.id] = read_choice(text, facts)
            except RequestError as err:
                problems[entry.id] = str(err)
    expanded = expand_documents(cache, entries, choices, removed=attachments().removed)
    return expanded, problems


def draw_pickers(
    entries: Sequence[ImageEntry], expanded: Expanded, problems: dict[str, str]
) -> None:
    """A picker for each attached document or video, with what its choice took or why not."""
    for entry in entries:
        facts = expanded.facts.get(entry.id)
        if facts is None or facts.kind is None:
            continue
        paged = facts.kind in ("pdf", "tiff")
        st.text_input(
            f"{'Pages' if paged else 'Frames'} of {literal(entry.name)} ({facts.summary})",
            key=picker_key(entry.id),
            placeholder="all (up to 10)" if paged else "8 frames, spread evenly",
            help='Pages such as 1-3,7, "all" or "content" (the pages with text or drawing).'
            if paged
            else "A number of frames spread evenly (8), or times such as 0:05,0:10.",
        )
        problem = problems.get(entry.id)
        if problem:
            st.error(literal(problem), icon=":material/block:")
        elif note := expanded.notes.get(entry.id):
            st.info(literal(note), icon=":material/description:")
