"""SendClicks: a Send click waits until the run made for it is the one on the page."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from tests.support.models import LLAMA
from vision.chat.clicks import SendClicks
from vision.chat.compare import ModelEvent
from vision.chat.live import LiveAnswers


def answers(release: threading.Event | None = None) -> LiveAnswers:
    def events() -> Iterator[ModelEvent]:
        if release is not None:
            release.wait(5)
        yield from ()

    return LiveAnswers(prompt="p", models=(LLAMA,), image_names=(), events=events)


def test_a_click_waits_until_the_page_shows_the_run_made_for_it():
    clicks = SendClicks()
    clicks.click()
    assert clicks.settle(None)  # nothing on the page yet: the click still needs its run
    run = answers()
    clicks.claim(run)
    older = answers().start()
    assert older.wait(5)
    assert clicks.settle(older)  # cut short before publishing: an older run does not count
    assert not clicks.settle(run)  # published: the click is answered
    assert not clicks.take_repeated()


def test_a_second_click_while_the_first_waits_or_answers_is_a_repeat():
    release = threading.Event()
    clicks = SendClicks()
    clicks.click()
    clicks.click()
    assert clicks.take_repeated()
    run = answers(release)
    clicks.claim(run)
    assert not clicks.settle(run.start())
    clicks.click()  # its run is still answering
    assert clicks.take_repeated()
    assert not clicks.waiting
    release.set()
    assert run.wait(5)
    clicks.click()  # answered: the next click is a new Send
    assert clicks.waiting
    assert clicks.settle(run)  # the finished run was the last click's, not this one's


def test_a_click_while_a_follow_up_answers_is_a_repeat_not_a_second_run():
    release = threading.Event()
    follow_up = answers(release).start()
    clicks = SendClicks()
    clicks.click()
    assert not clicks.settle(follow_up)
    assert clicks.take_repeated()
    release.set()
    assert follow_up.wait(5)


def test_a_refused_click_waits_no_more():
    clicks = SendClicks()
    clicks.click()
    clicks.refuse()
    assert not clicks.waiting
    assert not clicks.settle(None)
