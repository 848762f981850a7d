"""Documents and videos where items and cards come from: a batch's uploads, rows and folders,
and the Playground's attached files, each page or frame its own item or card."""

from __future__ import annotations

import json

import pytest

from tests.support.documents import pdf_bytes, report_pdf, text_page, tiff_bytes, video_bytes
from tests.support.entries import entry
from tests.support.images import make_photo
from tests.support.models import LLAMA, QWEN
from vision.batch.items.files import open_source
from vision.batch.items.uploads import Upload, page_items, read_table
from vision.chat.documents import expand_documents, page_options, part_id
from vision.chat.preparation import PreparationCache, prepare_all
from vision.errors import RequestError
from vision.values.image import PartChoice, SourcePart

# A batch


def test_an_uploaded_pdf_is_an_item_per_page_and_a_video_one_item_of_frames():
    made = page_items(
        prompt="Describe",
        uploads=[
            Upload(name="report.pdf", data=report_pdf(3)),
            Upload(name="clip.mp4", data=video_bytes(8)),
            Upload(name="photo.jpg", data=make_photo((320, 240))),
            Upload(name="scan.tif", data=tiff_bytes([(200, 30, 30), (30, 200, 30)])),
        ],
    )
    items = list(made)
    assert made.count() == len(items)
    assert [(item.name, len(item.parts)) for item in items] == [
        ("report.pdf, page 1 of 3", 1),
        ("report.pdf, page 2 of 3", 1),
        ("report.pdf, page 3 of 3", 1),
        ("clip.mp4", 8),
        ("photo.jpg", 0),
        ("scan.tif, page 1 of 2", 1),
        ("scan.tif, page 2 of 2", 1),
    ]
    assert items[3].parts[0].time_s == 0.5


def test_a_row_names_a_page_or_times_of_an_uploaded_file():
    table = "\n".join(
        json.dumps(row)
        for row in (
            {"image": "report.pdf", "page": 2, "question": "Total?"},
            {"image": "clip.mp4", "at": "0:01,0:03", "question": "When?"},
        )
    )
    uploads = [
        Upload(name="report.pdf", data=report_pdf(3)),
        Upload(name="clip.mp4", data=video_bytes(4)),
    ]
    first, second = page_items(prompt="Describe", uploads=uploads, table=read_table(table.encode()))
    assert first.parts == (SourcePart(kind="pdf", index=1),)
    assert first.name == "report.pdf, page 2"
    assert [part.time_s for part in second.parts] == [1.0, 3.0]


def test_a_page_of_an_image_or_of_a_url_is_refused_with_what_to_do():
    photo = Upload(name="photo.jpg", data=make_photo((320, 240)))
    table = read_table(b'{"image": "photo.jpg", "page": 2}')
    with pytest.raises(RequestError) as caught:
        page_items(prompt="p", uploads=[photo], table=table)
    assert str(caught.value) == (
        "Line 1 of the JSONL names page 2 of photo.jpg, which is not a PDF or TIFF; remove the "
        "page, or name a document."
    )
    with pytest.raises(RequestError) as caught:
        page_items(prompt="p", table=read_table(b'{"image": "https://x.example/a.pdf", "page": 2}'))
    assert str(caught.value) == (
        "Line 1 of the JSONL names a page or frames of a file given by URL; upload the file "
        "instead."
    )


def test_a_folder_counts_and_reads_a_pdf_page_by_page(tmp_path):
    (tmp_path / "a.pdf").write_bytes(report_pdf(4))
    (tmp_path / "b.png").write_bytes(make_photo((64, 64)))
    source = open_source(str(tmp_path), "Describe")
    assert source.count() == 5
    assert [item.name for item in source] == [
        "a.pdf, page 1 of 4",
        "a.pdf, page 2 of 4",
        "a.pdf, page 3 of 4",
        "a.pdf, page 4 of 4",
        "b.png",
    ]


def test_a_pdf_that_cannot_be_opened_is_one_item_that_fails_alone(tmp_path):
    (tmp_path / "locked.pdf").write_bytes(pdf_bytes([text_page(1)], password_protected=True))
    (item,) = open_source(str(tmp_path), "Describe")
    assert item.parts == ()


# The Playground


def document(name: str = "report.pdf", count: int = 24):
    return entry(report_pdf(count), name)


def test_an_attached_pdf_becomes_a_card_per_page_up_to_ten_with_a_sentence():
    cache = PreparationCache()
    attached = document()
    expanded = expand_documents(cache, [attached], {})
    assert [made.label for made in expanded.entries][:2] == [
        "report.pdf, page 1 of 24",
        "report.pdf, page 2 of 24",
    ]
    assert len(expanded.entries) == 10
    assert expanded.notes[attached.id].startswith("Pages 1–10 were taken")
    assert expanded.facts[attached.id].summary == "a PDF of 24 pages"
    assert len(page_options(expanded.facts[attached.id])) == 24
    statuses = prepare_all(cache, expanded.entries, [QWEN, LLAMA], allow_loopback=False)
    assert all(status.sendable for status in statuses)
    assert statuses[1].prepared[QWEN].parts[0].label == "page 2 of 24"
    assert statuses[0].thumbnail is not None
    assert statuses[0].thumbnail != statuses[1].thumbnail  # each card shows its own page


def test_a_choice_takes_those_pages_a_removed_page_stays_off_and_a_grid_is_one_card():
    cache = PreparationCache()
    attached = document()
    chosen = {attached.id: PartChoice(pages=(2, 4, 6))}
    expanded = expand_documents(cache, [attached], chosen)
    assert [made.shows for made in expanded.entries] == [
        "page 2 of 24",
        "page 4 of 24",
        "page 6 of 24",
    ]
    gone = part_id(attached, (SourcePart(kind="pdf", index=3, count=24),))
    fewer = expand_documents(cache, [attached], chosen, removed={gone})
    assert [made.shows for made in fewer.entries] == ["page 2 of 24", "page 6 of 24"]
    grid = expand_documents(cache, [attached], chosen, stitch={attached.id})
    (one,) = grid.entries
    (status,) = prepare_all(cache, [one], [LLAMA], allow_loopback=False)
    assert [cell.label for cell in status.prepared[LLAMA].cells] == ["p. 2", "p. 4", "p. 6"]


def test_a_video_attached_is_eight_frame_cards_until_someone_chooses():
    cache = PreparationCache()
    attached = entry(video_bytes(16), "clip.mp4")
    expanded = expand_documents(cache, [attached], {})
    assert [made.shows for made in expanded.entries][:2] == [
        "frame at 0:01 (1 of 8)",
        "frame at 0:03 (2 of 8)",
    ]
    picked = expand_documents(cache, [attached], {attached.id: PartChoice(times=(4.0,))})
    assert [made.shows for made in picked.entries] == ["frame at 0:04 (1 of 1)"]


def test_a_locked_pdf_stays_one_card_that_says_why():
    cache = PreparationCache()
    locked = entry(pdf_bytes([text_page(1)], password_protected=True), "locked.pdf")
    expanded = expand_documents(cache, [locked], {})
    assert expanded.entries == (locked,)
    (status,) = prepare_all(cache, expanded.entries, [QWEN], allow_loopback=False)
    assert status.error is not None
    assert status.error.startswith("This PDF is locked with a password")
