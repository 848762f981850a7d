"""The batch's AIMD concurrency limit and its window of prepared images."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from tests.support.images import make_image
from vision.batch.running.concurrency import ConcurrencyLimit
from vision.batch.running.preparation import PreparedImagePool
from vision.images.intake import prepare_image
from vision.images.slots import DECODE_SLOTS, decode_slot


def test_a_429_halves_and_successes_climb_back_one_at_a_time():
    limit = ConcurrencyLimit(8, increase_after=2)
    limit.rate_limited(limit.generation)
    assert limit.value == 4
    for _ in range(4):
        limit.succeeded()
    assert limit.value == 6
    for _ in range(10):
        limit.succeeded()
    assert limit.value == 8


def test_a_burst_of_429s_from_one_window_halves_only_once():
    limit = ConcurrencyLimit(8)
    launched_in = limit.generation
    for _ in range(4):
        limit.rate_limited(launched_in)
    assert limit.value == 4
    limit.rate_limited(limit.generation)
    assert limit.value == 2


def test_the_limit_never_drops_below_one():
    limit = ConcurrencyLimit(1)
    limit.rate_limited(limit.generation)
    assert limit.value == 1


def test_a_prepared_image_is_shared_then_dropped_after_its_last_job():
    photo = make_image("PNG", (300, 200))
    calls = []

    def prepare(data, **kwargs):
        calls.append(kwargs["model"])
        return prepare_image(data, **kwargs)

    with ThreadPoolExecutor(1) as pool:
        images = PreparedImagePool(prepare, pool)
        first = images.acquire(0, photo, "a.png", "m")
        second = images.acquire(1, photo, "a.png", "m")
        assert first == second
        prepared, record = images.get(first)
        assert record.thumbnail
        assert record.sha256 == prepared.sha256
        images.release(first)
        assert images.get(second) == (prepared, record)
        images.release(second)
        images.acquire(2, photo, "a.png", "m")
    assert calls == ["m", "m"]
    assert images.acquire(3, "https://example.com/a.png", "", "m") is None


def test_a_batch_thumbnail_waits_for_a_decode_slot_like_every_other_decode():
    # A 4096×4096 PNG, as a batch sends the largest images: its thumbnail decodes all of it.
    photo = make_image("PNG", (4096, 4096))
    prepared = prepare_image(photo, model="m")  # the model's version, made while slots are free

    def prepare(data, **kwargs):
        return prepared

    done: list[bytes] = []
    with ThreadPoolExecutor(1) as pool:
        images = PreparedImagePool(prepare, pool)
        with ExitStack() as busy:
            for _ in range(DECODE_SLOTS):  # every slot held by other sessions' decodes
                busy.enter_context(decode_slot())
            key = images.acquire(0, photo, "big.png", "m")
            waiting = threading.Thread(target=lambda: done.append(images.get(key)[1].thumbnail))
            waiting.start()
            waiting.join(0.5)
            assert waiting.is_alive(), "the thumbnail was decoded while every slot was busy"
        waiting.join(30)
    assert len(done) == 1  # once a slot is free, the thumbnail is made
    assert done[0].startswith(b"\xff\xd8")
