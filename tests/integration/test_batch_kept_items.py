"""A page's batch keeps its items a row each (schema 12), on SQLite and PostgreSQL: the batch's
spec, which every page and worker reads, names them and stays small however many there are; a
range of them is read alone; and a history written by version 11, whose specs listed every
item, upgrades with each batch's items moved over and read back as they were."""

from __future__ import annotations

import json
from functools import partial

from alembic import command

from tests.support.images import make_image
from tests.support.models import QWEN
from vision.api.client import VisionClient
from vision.batch.items.uploads import Upload, page_items, read_table
from vision.batch.queue.submit import QueuedBatch
from vision.batch.recorded.spec import kept_spec, load_spec
from vision.batch.running.in_process import LiveBatch
from vision.history.config import ConnectionSettings, database_url
from vision.history.database import Database
from vision.history.migrate import alembic_config
from vision.values.grounding import Box, LocateTask, Reference
from vision.values.request import RequestOptions

PHOTO = make_image("PNG", (64, 48))
CUP = LocateTask(task="box", target="the cup", references=(Reference(box=Box(1, 2, 30, 40)),))


def test_a_page_batch_of_many_items_keeps_a_small_spec_and_reads_a_range_alone(history_db):
    rows = "".join(f"https://example.com/{n}.png,What is {n}?\n" for n in range(3_000))
    items = page_items(
        prompt="Describe it",
        uploads=[Upload(name="photo.png", data=PHOTO)],
        table=read_table(("image,question\n" + rows).encode()),
    )
    with history_db.open() as store:
        spec = kept_spec(store, items, [QWEN], concurrency=2, options=RequestOptions())
        store.save_batch("big", spec.to_json(), state="done")
        recorded, _ = store.batch_spec("big")
        stored = json.dumps(recorded)
        assert len(stored) < 1_000  # not 3,001 items in one value
        assert "example.com" not in stored
        assert recorded["item_count"] == 3_001
        source = load_spec(store, "big").open(store)
        assert source.count() == 3_001
        middle = [(index, item.prompt) for index, item in source.numbered(range(1_500, 1_503))]
        assert middle == [(n, f"What is {n}?") for n in range(1_500, 1_503)]
        ((last, photo),) = source.numbered(range(3_000, 3_010))
        assert (last, photo.name, photo.image) == (3_000, "photo.png", PHOTO)
        progress = store.batch_progress("big")
        assert progress is not None
        assert progress.total == 3_001


def _at_version_11(url: str) -> None:
    database = Database(database_url(url), ConnectionSettings())
    try:
        with database.writing() as connection:
            command.upgrade(alembic_config(connection), "0011")
    finally:
        database.close()


# A page's batch as version 11 (and each before it) kept it: every item listed in its spec, an
# upload by its hash.
V11_SPEC = {
    "source": "history",
    "prompt": "What is it?",
    "models": [QWEN],
    "concurrency": 2,
    "items": [
        {"prompt": "What is it?", "name": "photo.png", "expected": "a photo", "answers": [],
         "choices": [], "tag": "misc", "sha256": "photo-sha"},
        {"prompt": "Which?\nA. x\nB. y", "name": "q1", "expected": "B", "answers": ["B", "y"],
         "choices": ["x", "y"], "tag": None, "url": "https://example.com/q1.png"},
        {"prompt": "the cup", "name": "cup.png", "expected": None, "answers": [], "choices": [],
         "tag": None, "sha256": "photo-sha", "locate": CUP.to_json()},
    ],
    "version": 1,
}  # fmt: skip


def test_a_version_11_history_moves_each_batchs_listed_items_to_rows_and_reads_them(history_db):
    _at_version_11(history_db.url)
    history_db.execute(
        "INSERT INTO batches (workspace, id, created_at, spec, state) "
        "VALUES ('local', 'old', 1.0, :spec, 'cancelled')",
        spec=json.dumps(V11_SPEC),
    )
    history_db.execute(
        "INSERT INTO image_blobs (workspace, sha256, mime, size, data, created_at) "
        "VALUES ('local', 'photo-sha', 'image/png', :size, :data, 1.0)",
        size=len(PHOTO),
        data=PHOTO,
    )
    with history_db.open() as store:
        recorded, state = store.batch_spec("old")
        assert state == "cancelled"
        assert "items" not in recorded
        assert recorded["item_count"] == 3
        first, second, third = load_spec(store, "old").open(store)
        assert (first.name, first.image, first.expected, first.tag) == (
            "photo.png", PHOTO, "a photo", "misc"
        )  # fmt: skip
        assert (second.name, second.image, second.choices, second.answers) == (
            "q1", "https://example.com/q1.png", ("x", "y"), ("B", "y")
        )  # fmt: skip
        assert second.prompt == "Which?\nA. x\nB. y"
        assert (third.locate, third.image) == (CUP, PHOTO)
        # Still resumable: nothing was answered, so both jobs are missing.
        unused = partial(VisionClient, "http://127.0.0.1:9/v1", "never-used")  # nothing is run
        assert LiveBatch.reopen(store, "old", unused).missing() == 3
        assert QueuedBatch.reopen(store, "old").missing() == 3
