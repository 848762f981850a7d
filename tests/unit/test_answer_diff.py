"""The word diff between two answers, and follow-up requests carrying a model's own turns."""

from __future__ import annotations

import pytest

from vision.api.payload import build_payload
from vision.chat.diff import answer_diff, similarity
from vision.chat.follow_up import follow_up
from vision.errors import RequestError
from vision.values.request import ChatRequest, ImageRef


def _rebuild(pieces, keep):
    return "".join(text for op, text in pieces if op in keep)


def test_the_diff_shows_the_changed_words_and_rebuilds_both_answers():
    a = "A red square on a white page.\nNothing else."
    b = "A blue square on a white page.\nNothing else at all."
    pieces = answer_diff(a, b)
    assert ("delete", "red") in pieces
    assert ("insert", "blue") in pieces
    assert _rebuild(pieces, {"equal", "delete"}) == a
    assert _rebuild(pieces, {"equal", "insert"}) == b


def test_identical_answers_are_one_equal_piece_and_fully_similar():
    assert answer_diff("same words", "same words") == [("equal", "same words")]
    assert similarity("same words", "same words") == 1.0
    assert similarity("", "") == 1.0
    assert similarity("cat", "dog") == 0.0


def test_an_empty_answer_against_text_is_all_insert():
    assert answer_diff("", "new text") == [("insert", "new text")]


IMAGE = ImageRef(url="data:image/png;base64,AAAA", label="one")


def test_a_follow_up_carries_the_earlier_turn_with_its_image_and_answer():
    first = ChatRequest(model="m", prompt="What is this?", images=(IMAGE,), temperature=0.2)
    second = follow_up(first, "A square.", prompt="What colour?")
    third = follow_up(second, "Red.", prompt="Sure?")

    assert [turn.prompt for turn in third.history] == ["What is this?", "What colour?"]
    assert third.history[0].images == (IMAGE,)
    assert third.temperature == 0.2
    messages = build_payload(third)["messages"]
    roles = [message["role"] for message in messages]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[2]["content"] == "A square."
    assert messages[-1]["content"][0]["text"] == "Sure?"


def test_a_follow_up_past_the_image_limit_says_how_many_can_still_go():
    first = ChatRequest(model="m", prompt="Look", images=(IMAGE,) * 8)
    with pytest.raises(RequestError, match=r"already carries 8 images.*attach at most 2"):
        follow_up(first, "ok", prompt="And these?", images=(IMAGE,) * 3)
    assert len(follow_up(first, "ok", prompt="And these?", images=(IMAGE,) * 2).history) == 1


def test_words_are_compared_whole_so_two_model_names_never_splice():
    a = "meta-llama/Llama-3.2-90B-Vision-Instruct received the prompt."
    b = "Qwen/Qwen2-VL-7B-Instruct received the prompt."
    pieces = answer_diff(a, b)
    assert pieces[:2] == [
        ("delete", "meta-llama/Llama-3.2-90B-Vision-Instruct"),
        ("insert", "Qwen/Qwen2-VL-7B-Instruct"),
    ]
    assert pieces[2] == ("equal", " received the prompt.")
    assert _rebuild(pieces, {"equal", "delete"}) == a
    assert _rebuild(pieces, {"equal", "insert"}) == b
