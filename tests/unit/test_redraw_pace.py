"""Streaming answers are redrawn five times a second for a few people, less often as more people's
answers stream on the same server, never slower than once a second."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from tests.support.models import LLAMA
from vision.chat.compare import ModelEvent
from vision.chat.live import LiveAnswers
from vision.chat.redraw import (
    FASTEST_REDRAW_S,
    REDRAWS_PER_SECOND,
    SLOWEST_REDRAW_S,
    STREAMING,
    redraw_interval,
)

WAIT_S = 5.0


def test_a_few_people_see_five_redraws_a_second_and_a_crowd_fewer():
    assert redraw_interval(1) == FASTEST_REDRAW_S == 0.2
    assert redraw_interval(5) == 0.2  # five people: 25 redraws a second in all
    assert redraw_interval(20) == 20 / REDRAWS_PER_SECOND == 0.8
    assert redraw_interval(40) == SLOWEST_REDRAW_S == 1.0
    assert redraw_interval(400) == 1.0


def test_answers_count_as_streaming_from_their_start_to_their_end():
    release = threading.Event()

    def events() -> Iterator[ModelEvent]:
        yield ModelEvent(index=0, model=LLAMA, delta="A cat")
        release.wait(WAIT_S)

    before = STREAMING.now
    answers = LiveAnswers(prompt="p", models=(LLAMA,), image_names=(), events=events)
    assert STREAMING.now == before  # made, not started: the page has not published it yet
    answers.start()
    assert STREAMING.now == before + 1  # counted at once, for the run that draws them
    release.set()
    assert answers.wait(WAIT_S)
    assert STREAMING.now == before


def test_answers_that_fail_stop_counting_too():
    def events() -> Iterator[ModelEvent]:
        raise RuntimeError("a bug in the stream")
        yield  # pragma: no cover

    before = STREAMING.now
    answers = LiveAnswers(prompt="p", models=(LLAMA,), image_names=(), events=events).start()
    assert answers.wait(WAIT_S)
    assert STREAMING.now == before
