"""Rebuilding a saved run's request from the history, to send it again or copy it as code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.stores import HistoryDatabase
from vision.api.payload import build_payload
from vision.errors import HistoryError
from vision.history.replay import rebuild_request, run_images
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.images.thumbnail import image_from_prepared
from vision.values.run import Run, RunImage


@pytest.fixture
def store(history_db: HistoryDatabase) -> Iterator[HistoryStore]:
    with history_db.open() as opened:
        yield opened


def test_a_run_with_a_kept_image_rebuilds_the_request_it_sent(store):
    data = make_image("PNG", (300, 200))
    prepared = prepare_image(data, model=QWEN)
    store.save_image_bytes(prepared.source_sha256, data)
    run = store.save_run(
        Run(
            prompt="Read it",
            system="Be brief.",
            params={"temperature": 0.2, "max_tokens": 64},
            model=QWEN,
            images=(
                image_from_prepared(prepared),
                RunImage(position=1, sha256="", url="https://e.org/x.png"),
            ),
        )
    )
    request = rebuild_request(store.get_run(run.id), store)
    assert (request.model, request.prompt, request.system) == (QWEN, "Read it", "Be brief.")
    assert (request.temperature, request.max_tokens) == (0.2, 64)
    assert request.images[0].url == prepared.data_url
    assert request.images[1].url == "https://e.org/x.png"
    assert build_payload(request)["model"] == QWEN

    other = rebuild_request(run, store, model=LLAMA)
    assert other.model == LLAMA
    assert [image.name for image in run_images(store, run)] == [
        f"image-1-{prepared.source_sha256[:8]}"
    ]


def test_a_run_whose_image_was_not_kept_says_so(store):
    prepared = prepare_image(make_image("PNG", (64, 64)))
    run = Run(prompt="p", model=QWEN, images=(image_from_prepared(prepared),))
    with pytest.raises(HistoryError, match="was not kept"):
        rebuild_request(run, store)
    assert run_images(store, run) == []
