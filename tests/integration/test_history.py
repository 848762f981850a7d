"""The history on both engines: runs, images and votes survive a reopen, search and filters
find them (a SQLite file and a PostgreSQL database: the history_db fixture in tests/conftest.py;
what only a SQLite file does is in test_history_sqlite.py)."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tests.support.images import make_image, make_photo
from vision.errors import APITimeoutError, HistoryError
from vision.history.schema import SCHEMA_VERSION
from vision.history.store import default_history_path
from vision.images.thumbnail import make_thumbnail
from vision.values.request import ChatRequest
from vision.values.result import ChatResult, Usage
from vision.values.run import (
    Run,
    RunContext,
    RunFilter,
    RunImage,
    Vote,
    image_from_url,
    run_from_result,
)


def make_run(**fields: object) -> Run:
    defaults: dict[str, object] = {
        "prompt": "What is in this image?",
        "model": "m1",
        "answer": "A cat.",
    }
    defaults.update(fields)
    return Run(**defaults)  # type: ignore[arg-type]


@pytest.fixture
def store(history_db):
    with history_db.open() as opened:
        yield opened


def test_a_saved_run_comes_back_after_reopening_with_its_images(history_db):
    thumb = make_thumbnail(make_photo((800, 600)))
    run = make_run(
        system="Be brief.",
        params={"temperature": 0.2, "max_tokens": 100},
        usage=Usage(prompt_tokens=10, completion_tokens=3, total_tokens=13),
        latency_s=1.5,
        ttft_s=0.25,
        finish_reason="stop",
        tag="photo",
        expected="cat",
        images=(
            RunImage(
                position=0,
                sha256="ab" * 32,
                source_sha256="cd" * 32,
                mime="image/jpeg",
                width=800,
                height=600,
                steps=("EXIF rotated", "resized 1600×1200 → 800×600"),
                thumbnail=thumb,
            ),
            image_from_url("https://example.com/cat.png", position=1),
        ),
    )
    with history_db.open() as store:
        saved = store.save_run(run)
    assert saved.id > 0
    with history_db.open() as store:
        again = store.get_run(saved.id)
    assert again == saved
    assert again.images[0].thumbnail == thumb
    assert again.created_at.tzinfo is not None


def test_a_new_database_is_at_the_current_schema_version(store):
    assert store.schema_version == SCHEMA_VERSION


def test_a_database_migrated_by_a_newer_app_is_refused_and_left_alone(history_db):
    with history_db.open() as store:
        store.save_run(make_run())
    history_db.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(HistoryError, match=r"newer version .* \(schema 0099, this app reads up to"):
        history_db.open()
    assert history_db.rows("SELECT COUNT(*) FROM runs") == [(1,)]
    assert history_db.rows("SELECT version_num FROM alembic_version") == [("0099",)]


def test_the_path_comes_from_the_environment_or_the_xdg_data_directory(tmp_path):
    assert (
        default_history_path({"VISION_HISTORY_PATH": str(tmp_path / "x.db")}) == tmp_path / "x.db"
    )
    assert (
        default_history_path({"XDG_DATA_HOME": str(tmp_path)})
        == tmp_path / "vision-playground" / "history.sqlite3"
    )


def test_search_finds_text_in_prompt_or_answer_case_insensitively(store):
    store.save_run(make_run(prompt="Read the receipt", answer="Total: 12.50"))
    store.save_run(make_run(prompt="Describe", answer="A red BICYCLE"))
    store.save_run(make_run(prompt="Describe", answer="100% sure it is a dog"))
    assert [r.answer for r in store.search_runs(RunFilter(text="bicycle"))] == ["A red BICYCLE"]
    assert [r.prompt for r in store.search_runs(RunFilter(text="receipt"))] == ["Read the receipt"]
    # LIKE wildcards in the search text are taken literally.
    assert [r.answer for r in store.search_runs(RunFilter(text="100%"))] == [
        "100% sure it is a dog"
    ]
    assert store.search_runs(RunFilter(text="_")) == []


def test_filters_by_model_tag_kind_and_date(store):
    now = datetime.now(UTC)
    store.save_run(make_run(model="qwen", tag="ocr", created_at=now - timedelta(days=3)))
    store.save_run(make_run(model="llama", tag="ocr", kind="batch_item", batch_id="b1"))
    store.save_run(make_run(model="qwen", tag="chart", created_at=now))
    assert {r.tag for r in store.search_runs(RunFilter(model="qwen"))} == {"ocr", "chart"}
    assert {r.model for r in store.search_runs(RunFilter(tag="ocr"))} == {"qwen", "llama"}
    assert [r.model for r in store.search_runs(RunFilter(kind="batch_item"))] == ["llama"]
    recent = store.search_runs(RunFilter(since=now - timedelta(days=1)))
    assert len(recent) == 2
    old = store.search_runs(RunFilter(until=now - timedelta(days=1)))
    assert [r.tag for r in old] == ["ocr"]
    assert store.models() == ["llama", "qwen"]
    assert store.tags() == ["chart", "ocr"]


def test_results_are_newest_first_and_paged(store):
    for index in range(5):
        store.save_run(make_run(answer=f"answer {index}"))
    page = store.search_runs(limit=2, offset=1)
    assert [r.answer for r in page] == ["answer 3", "answer 2"]


def test_a_deleted_run_is_gone_from_every_read_until_restored(store):
    run = store.save_run(make_run(images=(RunImage(sha256="ab" * 32),), batch_id="b", tag="t"))
    assert store.delete_run(run.id)
    assert store.get_run(run.id) is None
    assert not store.delete_run(run.id)
    assert store.search_runs() == []
    assert store.count_runs() == 0
    assert (store.batch_ids(), store.models(), store.tags()) == ([], [], [])
    assert store.restore_run(run.id)
    assert not store.restore_run(run.id)
    again = store.get_run(run.id)
    assert again is not None
    assert again.images == run.images


def test_a_deleted_runs_id_is_never_given_to_another_run(store):
    first = store.save_run(make_run())
    last = store.save_run(make_run())
    store.delete_run(last.id)
    assert store.save_run(make_run()).id == last.id + 1
    assert first.id < last.id


def test_images_keep_their_names_and_a_run_keeps_what_was_attached(store):
    grid = RunImage(sha256="g" * 64, name="grid of 2 images.png")
    parts = (
        RunImage(position=0, sha256="a" * 64, name="receipt.jpg"),
        RunImage(position=1, sha256="", url="https://e.org/chart.png"),
    )
    saved = store.save_run(make_run(images=(grid,), sources=parts))
    found = store.get_run(saved.id)
    assert found is not None
    assert [image.label for image in found.images] == ["grid of 2 images.png"]
    assert [image.label for image in found.attached] == ["receipt.jpg", "chart.png"]
    plain = store.save_run(make_run(images=(RunImage(sha256="b" * 64, name="cat.png"),)))
    assert [image.label for image in store.get_run(plain.id).attached] == ["cat.png"]


def test_a_search_finds_runs_by_an_image_file_name(store):
    store.save_run(make_run(images=(RunImage(sha256="a" * 64, name="Receipt-0042.jpg"),)))
    store.save_run(make_run(item_name="chart-7.png", kind="batch_item", batch_id="b"))
    store.save_run(make_run(sources=(RunImage(sha256="c" * 64, name="harbour.webp"),)))
    store.save_run(make_run(prompt="nothing to find"))
    assert len(store.search_runs(RunFilter(text="receipt-0042"))) == 1
    assert len(store.search_runs(RunFilter(text="chart-7"))) == 1
    assert len(store.search_runs(RunFilter(text="harbour"))) == 1
    assert store.count_runs(RunFilter(text=".jpg")) == 1
    assert store.count_runs() == 4


def test_a_batch_and_a_conversation_list_in_order(store):
    for model in ("m1", "m2", "m1"):
        store.save_run(make_run(model=model, kind="batch_item", batch_id="b1"))
    store.save_run(make_run(batch_id="b2", kind="batch_item"))
    assert [r.model for r in store.batch_runs("b1")] == ["m1", "m2", "m1"]
    assert store.batch_ids() == ["b2", "b1"]
    store.save_run(make_run(kind="turn", conversation_id="c", prompt="first"))
    store.save_run(make_run(kind="turn", conversation_id="c", prompt="first", model="m2"))
    store.save_run(make_run(kind="turn", conversation_id="c", prompt="second"))
    assert [r.prompt for r in store.conversation_runs("c", model="m1")] == ["first", "second"]
    assert len(store.conversation_runs("c")) == 3


def test_votes_are_saved_and_filtered(store):
    run_a = store.save_run(make_run(model="m1"))
    store.save_vote(Vote(model_a="m1", model_b="m2", choice="a", tag="ocr", run_a_id=run_a.id))
    store.save_vote(Vote(model_a="m2", model_b="m1", choice="tie", batch_id="b1"))
    assert [v.choice for v in store.votes()] == ["a", "tie"]
    assert [v.choice for v in store.votes(tag="ocr")] == ["a"]
    assert [v.choice for v in store.votes(batch_id="b1")] == ["tie"]
    # Deleting a run keeps the vote (the judgement stays in the leaderboard), and its link,
    # for the run may be restored.
    store.delete_run(run_a.id)
    assert store.votes(tag="ocr")[0].run_a_id == run_a.id


def test_a_vote_with_an_unknown_choice_is_refused(store):
    with pytest.raises(HistoryError):
        store.save_vote(Vote(model_a="m1", model_b="m2", choice="maybe"))  # type: ignore[arg-type]
    assert store.votes() == []


def test_image_bytes_are_kept_once_per_hash(store, history_db):
    data = make_image("PNG", (32, 32))
    assert store.save_image_bytes("h1", data, mime="image/png")
    assert store.save_image_bytes("h1", b"other")
    store.save_run(make_run(images=(RunImage(sha256="h1"),)), originals={"h1": b"again"})
    assert store.image_bytes("h1") == data
    assert store.image_bytes("missing") is None
    assert history_db.rows("SELECT sha256, size FROM image_blobs") == [("h1", len(data))]
    assert store.kept_image_bytes() == len(data)


def test_thumbnails_are_small_jpegs_and_unreadable_bytes_give_none():
    thumb = make_thumbnail(make_photo((1200, 300)))
    image = Image.open(io.BytesIO(thumb))
    assert image.format == "JPEG"
    assert max(image.size) <= 160
    assert make_thumbnail(make_image("PNG", (40, 40), mode="RGBA", color=(1, 2, 3, 4)))
    assert make_thumbnail(b"not an image") == b""


def test_a_result_and_an_error_both_become_runs():
    request = ChatRequest(model="m1", prompt="hi", temperature=0.5, max_tokens=64)
    result = ChatResult(
        text="hello",
        model="m1-served",
        finish_reason="stop",
        usage=Usage(prompt_tokens=5, completion_tokens=1, total_tokens=6),
        latency_s=0.7,
        ttft_s=0.1,
    )
    run = run_from_result(request, result, context=RunContext(kind="turn", conversation_id="c1"))
    assert (run.model, run.answer, run.usage.total_tokens, run.error) == ("m1", "hello", 6, None)
    assert run.params == {"temperature": 0.5, "max_tokens": 64}
    failed = run_from_result(request, APITimeoutError("The server did not answer in time."))
    assert failed.failed
    assert failed.error == "The server did not answer in time."


def test_concurrent_threads_can_save_at_once(store):
    def save_many(thread: int) -> None:
        for index in range(20):
            store.save_run(make_run(answer=f"{thread}-{index}"))

    threads = [threading.Thread(target=save_many, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.search_runs(limit=1000)) == 80
