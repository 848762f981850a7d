"""Whether Send can go: one sentence for what stops it, and a note when nothing is attached."""

from __future__ import annotations

import pytest

from tests.support.entries import pngs
from tests.support.models import QWEN
from vision.chat.attachments import ImageEntry
from vision.chat.preparation import PreparationCache, prepare_all
from vision.chat.readiness import asked_prompt, send_blocker, send_notice
from vision.errors import RequestError
from vision.limits import MAX_IMAGES_PER_REQUEST


def statuses(*entries: ImageEntry):
    return prepare_all(PreparationCache(), list(entries), [QWEN], allow_loopback=False)


def blocker(found, **changes):
    values = {"connected": True, "catalog": None, "models": [QWEN], "prompt": "Describe"}
    return send_blocker(**{**values, **changes}, statuses=found)


def test_nothing_attached_is_said_but_does_not_stop_send():
    assert blocker([]) is None
    assert send_notice([]) == "No image is attached: the models get only the prompt."
    assert send_notice(statuses(*pngs(1))) is None


def test_the_first_missing_thing_is_the_sentence():
    assert (
        blocker([], connected=False)
        == "Add an API key in the sidebar, or turn on the echo backend."
    )
    assert blocker([], models=[]) == "Choose at least one model."
    assert blocker([], prompt="  ") == "Write a prompt."


def test_images_over_the_ten_are_counted_in_the_sentence():
    found = statuses(*pngs(MAX_IMAGES_PER_REQUEST + 2))
    assert blocker(found) == f"A request takes at most {MAX_IMAGES_PER_REQUEST} images: remove 2."


def test_an_image_that_cannot_go_is_named():
    bad = ImageEntry(id="url:not a url", kind="url", name="not a url", url="not a url")
    assert (
        blocker(statuses(*pngs(1), bad)) == "Image 2 (not a url) cannot be sent: remove it first."
    )


def test_an_image_alone_is_a_question_and_says_what_the_models_are_asked():
    found = statuses(*pngs(1))
    assert blocker(found, prompt="   ") is None
    assert asked_prompt("   ", images=1) == "What is in this image?"
    assert send_notice(found, "   ") == "No prompt: the models are asked “What is in this image?”."
    assert send_notice(found, "Describe") is None
    assert asked_prompt("Count the boats", images=0) == "Count the boats"


def test_neither_a_prompt_nor_an_image_is_refused_with_what_to_do():
    with pytest.raises(RequestError, match=r"^Write a prompt\. Or add an image"):
        asked_prompt("", images=0)
