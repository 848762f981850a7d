"""Each image made ready for each chosen model: once per content, model and budget."""

from __future__ import annotations

import pytest
from PIL.JpegImagePlugin import JpegImageFile

import vision.chat.preparation as preparation
from tests.support.entries import entry, pngs
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from vision.chat.attachments import ImageEntry
from vision.chat.preparation import PreparationCache, prepare_all
from vision.errors import ImageError
from vision.images.intake import prepare_image
from vision.limits import MAX_IMAGES_PER_REQUEST

NOT_AN_IMAGE = b"these bytes are a shopping list, not a picture"


@pytest.fixture
def prepared_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, int]]:
    """Every call prepare_all makes to prepare_image, as (model, qwen_token_budget)."""
    calls: list[tuple[str | None, int]] = []

    def counting(data: bytes, **kwargs: object):
        calls.append((kwargs.get("model"), kwargs.get("qwen_token_budget")))
        return prepare_image(data, **kwargs)

    monkeypatch.setattr(preparation, "prepare_image", counting)
    return calls


def test_reruns_of_the_page_prepare_each_image_once_per_model(prepared_calls):
    cache = PreparationCache()
    entries = pngs(2)
    for _ in range(3):  # the page reruns on every click
        statuses = prepare_all(cache, entries, [LLAMA, QWEN], allow_loopback=False)
    assert len(prepared_calls) == 4  # 2 images × 2 models, not 12
    assert all(status.sendable for status in statuses)
    assert [set(status.prepared) for status in statuses] == [{LLAMA, QWEN}] * 2


def test_the_same_picture_uploaded_twice_is_prepared_once(prepared_calls):
    data = make_image("PNG", (120, 90))
    cache = PreparationCache()
    statuses = prepare_all(
        cache, [entry(data, "a.png"), entry(data, "copy of a.png")], [QWEN], allow_loopback=False
    )
    assert len(prepared_calls) == 1
    assert statuses[0].prepared[QWEN] == statuses[1].prepared[QWEN]


def test_a_new_qwen_budget_prepares_only_qwen_again(prepared_calls):
    cache = PreparationCache()
    entries = pngs(1)
    prepare_all(cache, entries, [LLAMA, QWEN], allow_loopback=False, qwen_token_budget=1280)
    prepare_all(cache, entries, [LLAMA, QWEN], allow_loopback=False, qwen_token_budget=4096)
    assert prepared_calls[2:] == [(QWEN, 4096)]
    # The version for the old budget is dropped, the Llama one kept.
    assert {(model, budget) for _, model, budget, _ in cache.prepared} == {
        (LLAMA, None),
        (QWEN, 4096),
    }


def test_an_image_taken_off_the_page_is_forgotten(prepared_calls):
    cache = PreparationCache()
    first, second = pngs(2)
    prepare_all(cache, [first, second], [QWEN], allow_loopback=False)
    statuses = prepare_all(cache, [second], [QWEN], allow_loopback=False)
    assert [status.entry.name for status in statuses] == ["img-2.png"]
    assert {sha for sha, _, _, _ in cache.prepared} == {second.sha256}
    assert set(cache.thumbnails) == {(second.sha256, ())}
    # Added back, it is prepared afresh rather than served from a stale cache.
    prepare_all(cache, [first, second], [QWEN], allow_loopback=False)
    assert len(prepared_calls) == 3


def test_an_eleventh_image_is_over_the_limit_and_not_prepared(prepared_calls):
    entries = pngs(MAX_IMAGES_PER_REQUEST + 1, size=(40, 30))
    statuses = prepare_all(PreparationCache(), entries, [QWEN], allow_loopback=False)
    assert [status.position for status in statuses] == list(range(1, 12))
    assert all(status.sendable for status in statuses[:MAX_IMAGES_PER_REQUEST])
    eleventh = statuses[MAX_IMAGES_PER_REQUEST]
    assert eleventh.over_limit
    assert not eleventh.sendable
    assert eleventh.prepared == {}
    assert len(prepared_calls) == MAX_IMAGES_PER_REQUEST


def test_an_unreadable_file_says_why_and_cannot_be_sent():
    good, bad = pngs(1)[0], entry(NOT_AN_IMAGE, "notes.png")
    statuses = prepare_all(PreparationCache(), [good, bad], [LLAMA, QWEN], allow_loopback=False)
    assert statuses[0].sendable
    failed = statuses[1]
    assert not failed.sendable
    assert failed.error is not None
    assert "not an image" in failed.error
    assert "JPEG, PNG, WEBP or GIF" in failed.error
    assert failed.prepared == {}
    assert failed.thumbnail is None


def test_an_unreadable_file_is_tried_once_however_often_the_page_reruns(prepared_calls):
    cache = PreparationCache()
    bad = entry(NOT_AN_IMAGE, "notes.png")
    first = prepare_all(cache, [bad], [QWEN], allow_loopback=False)
    again = prepare_all(cache, [bad], [QWEN], allow_loopback=False)
    assert len(prepared_calls) == 1
    assert first[0].error == again[0].error


def test_errors_kept_in_the_cache_hold_no_traceback():
    cache = PreparationCache()
    damaged = b"\x89PNG\r\n\x1a\n" + b"garbage" * 10
    # A loopback URL is refused before any connection when loopback is not allowed.
    link = "http://127.0.0.1/cat.png"
    url = ImageEntry(id=f"url:{link}", kind="url", name=link, url=link)
    statuses = prepare_all(
        cache,
        [entry(NOT_AN_IMAGE, "notes.png"), entry(damaged, "broken.png"), url],
        [QWEN],
        allow_loopback=False,
        url_mode="inline",
    )
    assert all(status.error for status in statuses)
    kept = [*cache.prepared.values(), *cache.fetched.values()]
    assert len(kept) == 3
    assert all(isinstance(error, ImageError) for error in kept)
    assert all(error.__traceback__ is None for error in kept)


def url_line(text: str) -> ImageEntry:
    return ImageEntry(id=f"url:{text}", kind="url", name=text, url=text)


@pytest.mark.parametrize("line", ["not a url", "ftp://foo/bar.png", "www.example.com/cat.png"])
def test_a_line_that_is_no_image_url_says_so_and_is_not_over_the_limit(line):
    (status,) = prepare_all(PreparationCache(), [url_line(line)], [QWEN], allow_loopback=False)
    assert not status.over_limit
    assert status.error is not None
    assert status.error.startswith(f"“{line}” is not a valid image URL")


def test_only_images_that_can_go_count_toward_the_ten():
    broken = [url_line("not a url"), entry(NOT_AN_IMAGE, "list.txt")]
    statuses = prepare_all(
        PreparationCache(),
        [*broken, *pngs(MAX_IMAGES_PER_REQUEST)],
        [QWEN],
        allow_loopback=False,
    )
    assert sum(status.sendable for status in statuses) == MAX_IMAGES_PER_REQUEST
    assert not any(status.over_limit for status in statuses)


def test_a_photo_for_both_models_and_its_card_is_decoded_once_and_each_gets_the_same_bytes(
    monkeypatch,
):
    photo = make_photo((2048, 1536))  # both models need it smaller, at about the same size
    alone = {model: prepare_image(photo, model=model) for model in (LLAMA, QWEN)}
    decodes: list[tuple[int, int]] = []
    load = JpegImageFile.load

    def counting(image: JpegImageFile):  # type: ignore[no-untyped-def]
        if image.tile:  # still to decode (Pillow clears it once the pixels are in)
            decodes.append(image.size)
        return load(image)

    monkeypatch.setattr(JpegImageFile, "load", counting)
    [status] = prepare_all(
        PreparationCache(), [entry(photo, "photo.jpg")], [LLAMA, QWEN], allow_loopback=False
    )
    # One full-size decode, shared by both re-encodes and the card's thumbnail.
    assert decodes == [(2048, 1536)]
    assert status.preview is not None
    for model in (LLAMA, QWEN):
        assert status.prepared[model].data == alone[model].data
        assert status.prepared[model].steps == alone[model].steps
