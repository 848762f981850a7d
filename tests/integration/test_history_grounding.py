"""What grounding needs is kept with a run, on both engines: what it asked to locate with its
reference boxes, the frame it was asked in, and each image's original size, orientation and
stitched cells, so its boxes are read again from the history alone."""

from __future__ import annotations

from dataclasses import replace

from tests.support.models import QWEN
from vision.batch.items.manifest import KeptItems, keep_item_list
from vision.batch.recorded.spec import BatchSpec
from vision.grounding.reading import read_run
from vision.values.batch import BatchItem
from vision.values.grounding import Box, LocateTask, Reference
from vision.values.image import GridCell
from vision.values.run import Run, RunImage

CELLS = (
    GridCell(
        label="1", left=0, top=0, width=560, height=420, source_width=1600, source_height=1200
    ),
    GridCell(
        label="2", left=560, top=0, width=560, height=420, source_width=800, source_height=600
    ),
)
LOCATE = LocateTask(
    task="detection",
    target="every cup",
    references=(Reference(box=Box(10, 20, 30, 40), label="cup"), Reference(box=Box(1, 2, 3, 4))),
)


def grounding_run() -> Run:
    image = RunImage(
        sha256="grid",
        source_sha256="grid-src",
        mime="image/png",
        width=1120,
        height=420,
        thumbnail=b"\xff\xd8thumb",
        original_width=1120,
        original_height=420,
        orientation=6,
        cells=CELLS,
    )
    return Run(
        kind="batch_item",
        batch_id="b1",
        item_index=0,
        prompt="Find <|object_ref_start|>every cup<|object_ref_end|>",
        model=QWEN,
        # Thousandths of the grid: this box's centre is on the second picture.
        answer="<|object_ref_start|>cup<|object_ref_end|><|box_start|>(600,100),(800,500)<|box_end|>",
        images=(image,),
        locate=LOCATE,
        frame="rel1000",
    )


def test_a_runs_locate_task_frame_and_image_origin_come_back_as_saved(history_db):
    with history_db.open() as store:
        saved = store.save_run(grounding_run())
        assert store.get_run(saved.id) == saved
        (scored,) = store.batch_runs("b1", thumbnails=False)
        (text_only,) = store.batch_runs("b1", images=False)
    # Grounding scores read the sizes and cells without the thumbnails; text scores, no images.
    assert scored.images[0] == replace(saved.images[0], thumbnail=b"")
    assert text_only.images == ()
    assert (scored.locate, scored.frame) == (LOCATE, "rel1000")


def test_a_kept_runs_boxes_are_read_again_on_the_picture_they_fall_on(history_db):
    with history_db.open() as store:
        saved = store.save_run(grounding_run())
        (kept,) = store.batch_runs("b1", thumbnails=False)
    answer = read_run(kept)
    assert answer == read_run(saved)
    (item,) = answer.located
    assert item.image == 1
    # Grid pixels [672, 42, 896, 210] on picture 2 (left 560, scaled 800/560).
    assert item.shape.as_list() == [160.0, 60.0, 480.0, 300.0]


def test_runs_kept_without_sizes_read_as_unmappable(history_db):
    with history_db.open() as store:
        bare = replace(grounding_run(), images=(RunImage(sha256="old", width=10, height=10),))
        saved = store.save_run(bare)
    assert saved.images[0].origin is None
    assert read_run(saved) is None


def test_a_pages_grounding_items_and_a_batchs_frames_are_kept_for_a_resume(history_db):
    item = BatchItem(image=b"png bytes", prompt="every cup", name="a.png", locate=LOCATE)
    spec = BatchSpec(source="x.jsonl", prompt="p", models=(QWEN,), frames=((QWEN, "rel1"),))
    with history_db.open() as store:
        list_id, count = keep_item_list(store, [item])
        (kept,) = KeptItems(store=store, list_id=list_id, items=count)
    assert (kept.locate, kept.image) == (LOCATE, b"png bytes")
    assert BatchSpec.from_json(spec.to_json()) == spec
