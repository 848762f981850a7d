"""A page or frame keeps its source in the history, on both engines: the run's image says which
page or moment it was, rerunning prepares that page again from the kept document, reopening
puts it back, and the exports and a page's batch name it."""

from __future__ import annotations

import json
from dataclasses import replace

from tests.support.documents import report_pdf, video_bytes
from tests.support.models import LLAMA, QWEN
from vision.batch.items.manifest import KeptItems, keep_item_list
from vision.export.runs import export_csv, export_json, export_markdown
from vision.history.replay import rebuild_request, reopen, sent_images
from vision.images.intake import prepare_image
from vision.images.thumbnail import image_from_prepared
from vision.values.batch import BatchItem
from vision.values.image import SourcePart
from vision.values.request import ChatRequest
from vision.values.result import ChatResult, Usage
from vision.values.run import RunContext, run_from_result

PAGE_3 = (SourcePart(kind="pdf", index=2),)


def saved_run(store, data: bytes, parts, model: str = QWEN):
    prepared = prepare_image(data, filename="report.pdf", model=model, parts=parts)
    record = image_from_prepared(prepared)
    request = ChatRequest.asking(model, "What does this page say?", (prepared.as_ref(),))
    result = ChatResult(
        text="It is a report.", model=model, usage=Usage(), latency_s=0.1, finish_reason="stop"
    )
    named = replace(record, name="report.pdf")
    run = run_from_result(request, result, images=(named,), context=RunContext())
    return prepared, store.save_run(run, originals={prepared.source_sha256: data})


def test_a_pdf_page_comes_back_with_its_page_and_is_prepared_again_from_the_document(
    history_db,
):
    document = report_pdf(12)
    with history_db.open() as store:
        prepared, run = saved_run(store, document, PAGE_3)
        kept = store.get_run(run.id)
        assert kept is not None
        (image,) = kept.images
        assert image.parts == (SourcePart(kind="pdf", index=2, count=12),)
        assert image.shows == "page 3 of 12"
        # The original kept is the whole document, under its own hash.
        assert image.source_sha256 == prepared.source_sha256
        assert store.image_bytes(image.source_sha256) == document
        # Rerun and the judge's sight draw page 3 again: the very bytes the model was sent.
        (ref,) = rebuild_request(kept, store).images
        assert ref.url == prepared.data_url
        assert sent_images(kept, store)[0].url == prepared.data_url
        # Reopening puts back the document with the page it showed.
        (again,) = reopen(store, kept).images
        assert again.data == document
        assert again.parts == image.parts


def test_rebuilt_for_another_model_the_page_is_drawn_at_that_models_size(history_db):
    with history_db.open() as store:
        _, run = saved_run(store, report_pdf(12), PAGE_3)
        (ref,) = rebuild_request(run, store, model=LLAMA).images
        assert ref.url == prepare_image(report_pdf(12), model=LLAMA, parts=PAGE_3).data_url


def test_a_video_grid_keeps_its_frames_and_times(history_db):
    clip = video_bytes(12)
    frames = tuple(
        SourcePart(kind="video", index=index, count=3, time_s=seconds)
        for index, seconds in enumerate((2.0, 6.0, 10.0))
    )
    with history_db.open() as store:
        prepared, run = saved_run(store, clip, frames, model=LLAMA)
        kept = store.get_run(run.id)
        assert kept is not None
        assert kept.images[0].parts == frames
        assert kept.images[0].shows == "frames at 0:02, 0:06, 0:10"
        assert [cell.label for cell in kept.images[0].cells] == ["0:02", "0:06", "0:10"]
        assert rebuild_request(kept, store).images[0].url == prepared.data_url


def test_exports_name_the_page(history_db):
    with history_db.open() as store:
        _, run = saved_run(store, report_pdf(12), PAGE_3)
        kept = store.get_run(run.id)
    assert kept is not None
    (image,) = json.loads(export_json([kept]))["runs"][0]["images"]
    assert image["shows"] == "page 3 of 12"
    assert image["parts"] == [{"kind": "pdf", "index": 2, "count": 12, "time_s": None}]
    assert "- Image 1: report.pdf, page 3 of 12" in export_markdown([kept])
    assert ",page 3 of 12," in export_csv([kept])


def test_a_page_batch_keeps_each_items_page(history_db):
    document = report_pdf(4)
    items = [
        BatchItem(image=document, prompt="Read it", name=f"report.pdf, page {n}", parts=part)
        for n, part in (
            (1, (SourcePart(kind="pdf", index=0),)),
            (4, (SourcePart(kind="pdf", index=3),)),
        )
    ]
    with history_db.open() as store:
        list_id, count = keep_item_list(store, items)
        again = list(KeptItems(store=store, list_id=list_id, items=count))
    assert [item.parts for item in again] == [item.parts for item in items]
    assert all(item.image == document for item in again)
