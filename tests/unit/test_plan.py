"""What Send will send: one request per model, and Llama 3.2's three ways with several images."""

from __future__ import annotations

import pytest

import vision.chat.plan as plan
from tests.support.entries import entry, pngs
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from vision.api.catalog import Catalog
from vision.chat.plan import LlamaMode, RunPlan, plan_run
from vision.chat.preparation import ImageStatus, PreparationCache, prepare_all
from vision.errors import ImageUnreadableError
from vision.images.stitch import GRID_SIDE
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.values.grounding import LocateTask
from vision.values.request import RequestOptions
from vision.values.result import ModelInfo

PROMPT = "What differs between these pictures?"
CATALOG = Catalog(
    backend="echo",
    models=(
        ModelInfo(id=LLAMA, supports_images=True, context_window=131_072),
        ModelInfo(id=QWEN, supports_images=True, context_window=32_768),
    ),
)


def statuses(count: int, models: list[str]) -> list[ImageStatus]:
    return prepare_all(PreparationCache(), pngs(count), models, allow_loopback=False)


def planned(
    images: list[ImageStatus],
    models: list[str],
    mode: LlamaMode = "stitch",
    *,
    stitched: dict[object, object] | None = None,
    catalog: Catalog = CATALOG,
    options: RequestOptions | None = None,
) -> RunPlan:
    return plan_run(
        {} if stitched is None else stitched,  # type: ignore[arg-type]
        catalog=catalog,
        models=models,
        prompt=PROMPT,
        options=options or RequestOptions(max_tokens=256),
        statuses=images,
        llama_mode=mode,
    )


@pytest.fixture
def stitches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many images each grid the plan stitched held."""
    made: list[int] = []
    real = plan.stitch_sources

    def counting(images, labels=None, parts=None):
        made.append(len(images))
        return real(images, labels, parts)

    monkeypatch.setattr(plan, "stitch_sources", counting)
    return made


def test_each_chosen_model_gets_one_request_with_the_image():
    images = statuses(1, [LLAMA, QWEN])
    run = planned(images, [LLAMA, QWEN])
    assert run.blocking is None
    assert [request.model for request in run.requests] == [LLAMA, QWEN]
    assert [len(request.images) for request in run.requests] == [1, 1]
    assert all(request.prompt == PROMPT for request in run.requests)
    assert run.requests[0].images[0] == images[0].ref_for(LLAMA)
    assert run.requests[1].images[0] == images[0].ref_for(QWEN)


def test_qwen_gets_every_image_in_one_request_whatever_the_llama_mode():
    images = statuses(3, [QWEN])
    for mode in ("stitch", "per_image", "as_is"):
        run = planned(images, [QWEN], mode)
        assert len(run.asks) == 1
        assert [ref.label for ref in run.requests[0].images] == [
            "img-1.png",
            "img-2.png",
            "img-3.png",
        ]


def test_stitch_sends_llama_one_labelled_grid_of_every_image(stitches):
    images = statuses(3, [LLAMA, QWEN])
    run = planned(images, [LLAMA, QWEN], "stitch")
    assert run.blocking is None
    llama, qwen = run.asks
    assert llama.request.model == LLAMA
    assert len(llama.request.images) == 1
    assert llama.label == "3 images stitched into one labelled grid"
    (grid,) = llama.sent
    assert (grid.prepared.width, grid.prepared.height) == (GRID_SIDE, GRID_SIDE)
    assert llama.request.images[0] == grid.ref
    assert stitches == [3]
    # Qwen reads several images well: it still gets them one by one.
    assert len(qwen.request.images) == 3


def test_per_image_sends_llama_one_labelled_request_per_image():
    images = statuses(3, [LLAMA])
    run = planned(images, [LLAMA], "per_image")
    assert [ask.label for ask in run.asks] == [
        "Image 1: img-1.png",
        "Image 2: img-2.png",
        "Image 3: img-3.png",
    ]
    for ask, status in zip(run.asks, images, strict=True):
        assert ask.request.images == (status.ref_for(LLAMA),)
        assert [image.name for image in ask.sent] == [status.entry.label]


def test_as_is_sends_llama_every_image_in_one_request(stitches):
    images = statuses(3, [LLAMA])
    run = planned(images, [LLAMA], "as_is")
    assert len(run.asks) == 1
    assert run.requests[0].images == tuple(status.ref_for(LLAMA) for status in images)
    assert stitches == []


def test_llama_with_one_image_is_not_stitched(stitches):
    run = planned(statuses(1, [LLAMA]), [LLAMA], "stitch")
    assert len(run.requests[0].images) == 1
    assert run.asks[0].label == ""
    assert stitches == []


def test_the_grid_is_stitched_once_while_the_images_stay_the_same(stitches):
    images = statuses(3, [LLAMA])
    cache: dict[object, object] = {}
    first = planned(images, [LLAMA], stitched=cache)
    for _ in range(3):  # the page reruns on every click
        again = planned(images, [LLAMA], stitched=cache)
    assert stitches == [3]
    assert again.requests == first.requests
    # A different set is stitched afresh, and only the current grid is kept.
    planned(images[:2], [LLAMA], stitched=cache)
    assert stitches == [3, 2]
    assert len(cache) == 1


def test_images_that_cannot_go_are_left_out_of_every_request():
    entries = pngs(MAX_IMAGES_PER_REQUEST)
    # An image that cannot go does not count toward the ten: img-10.png still goes.
    entries.insert(1, entry(b"not a picture", "memo.png"))
    images = prepare_all(PreparationCache(), entries, [QWEN], allow_loopback=False)
    assert [status.sendable for status in images].count(False) == 1
    run = planned(images, [QWEN])
    labels = [ref.label for ref in run.requests[0].images]
    assert len(labels) == MAX_IMAGES_PER_REQUEST
    assert "memo.png" not in labels
    assert "img-10.png" in labels


def test_a_request_over_the_context_window_blocks_send_with_the_reason():
    small = Catalog(backend="echo", models=(ModelInfo(id=QWEN, context_window=1_000),))
    run = planned(
        statuses(1, [QWEN]), [QWEN], catalog=small, options=RequestOptions(max_tokens=2_000)
    )
    assert run.blocking is not None
    assert "exceed" in run.blocking
    assert QWEN in run.blocking
    assert "lower Max tokens" in run.blocking


def test_one_overflowing_request_of_several_blocks_send():
    # Llama's tiles cost ≈1,600 tokens per small image: three in one request pass 5,000.
    tight = Catalog(
        backend="echo",
        models=(
            ModelInfo(id=LLAMA, context_window=5_000),
            ModelInfo(id=QWEN, context_window=32_768),
        ),
    )
    images = statuses(3, [LLAMA, QWEN])
    together = planned(images, [QWEN, LLAMA], "as_is", catalog=tight)
    assert [ask.preflight.overflows for ask in together.asks] == [False, True]
    assert together.blocking is not None
    assert LLAMA in together.blocking
    assert "remove images or lower Max tokens" in together.blocking
    one_each = planned(images, [QWEN, LLAMA], "per_image", catalog=tight)
    assert len(one_each.asks) == 4
    assert one_each.blocking is None


def test_a_request_that_fits_does_not_block():
    run = planned(statuses(2, [QWEN]), [QWEN], options=RequestOptions(max_tokens=2_000))
    assert run.blocking is None
    assert run.asks[0].preflight.context_window == 32_768
    assert not run.asks[0].preflight.overflows


def test_a_grid_that_cannot_be_stitched_blocks_send_with_the_reason(monkeypatch):
    def broken(images, labels=None, parts=None):
        raise ImageUnreadableError("Image 2 cannot be read; re-export it and try again.")

    monkeypatch.setattr(plan, "stitch_sources", broken)
    run = planned(statuses(2, [LLAMA]), [LLAMA], "stitch")
    assert run.asks == ()
    assert run.blocking == (
        "The images could not be stitched: Image 2 cannot be read; re-export it and try again."
    )


def test_a_stitched_grid_keeps_its_bytes_for_the_history():
    run = planned(statuses(2, [LLAMA]), [LLAMA], "stitch")
    (grid,) = run.asks[0].sent
    assert grid.original is not None
    assert grid.original_sha256 == grid.prepared.source_sha256


def test_a_stitched_request_remembers_the_pictures_it_was_made_of():
    found = statuses(2, [LLAMA])
    (ask,) = planned(found, [LLAMA], "stitch").asks
    assert [image.name for image in ask.attached] == [status.entry.label for status in found]
    assert all(image.original is not None for image in ask.attached)


def test_a_stitched_grid_records_where_each_picture_lies_so_boxes_can_go_back():
    run = planned(statuses(2, [LLAMA]), [LLAMA], "stitch")
    (grid,) = run.asks[0].sent
    first, second = grid.prepared.cells
    assert first.left < second.left
    assert first.top == second.top
    assert (first.source_width, first.source_height) == (96, 64)  # the upload, not the cell


def test_the_grid_says_the_app_made_it_and_names_a_picture_too_small_to_read():
    receipt = entry(make_image("PNG", (600, 2200)), "receipt.png")
    photos = [entry(make_photo((1600, 1200)), f"photo{index}.jpg") for index in range(9)]
    found = prepare_all(PreparationCache(), [*photos, receipt], [LLAMA], allow_loopback=False)
    (ask,) = planned(found, [LLAMA]).asks
    grid = ask.sent[0].prepared
    assert grid.steps[0] == "stitched 10 images into one labelled 1120×1120 grid"
    assert "sent the original file unchanged" not in grid.steps
    (warning,) = grid.warnings
    assert warning.startswith("10. receipt.png is drawn at 91×332 px in this grid, too small")
    assert "send one request per image" in warning


def test_a_grid_of_a_few_photos_reads_them_all():
    found = prepare_all(
        PreparationCache(),
        [entry(make_photo((1600, 1200)), f"photo{index}.jpg") for index in range(3)],
        [LLAMA],
        allow_loopback=False,
    )
    (ask,) = planned(found, [LLAMA]).asks
    assert ask.sent[0].prepared.warnings == ()


def test_locate_asks_each_model_in_its_familys_words_at_the_size_its_image_is_sent():
    images = statuses(1, [LLAMA, QWEN])
    run = plan_run(
        {},
        catalog=CATALOG,
        models=[QWEN, LLAMA],
        prompt="ignored in Locate",
        options=RequestOptions(max_tokens=256),
        statuses=images,
        llama_mode="stitch",
        locate=LocateTask(task="box", target="the red cup"),
    )
    qwen, llama = run.requests
    assert qwen.prompt == "Find <|object_ref_start|>the red cup<|object_ref_end|>"
    sent = images[0].prepared[LLAMA]
    assert f"The image is {sent.width}×{sent.height} pixels" in llama.prompt
    assert "Locate the red cup in this image." in llama.prompt


@pytest.mark.parametrize(
    ("count", "target", "says"),
    [
        (2, "the cup", "Locate looks in one image at a time: remove 1 of the 2."),
        (0, "the cup", "Locate looks in one image: add one."),
        (1, "  ", "Say what to locate"),
    ],
)
def test_locate_says_what_stops_it(count, target, says):
    run = plan_run(
        {},
        catalog=CATALOG,
        models=[QWEN],
        prompt="",
        options=RequestOptions(),
        statuses=statuses(count, [QWEN]),
        llama_mode="stitch",
        locate=LocateTask(task="point", target=target),
    )
    assert run.asks == ()
    assert run.problem is not None
    assert run.problem.startswith(says)
