"""PDF pages as images: drawn at the size each model uses, chosen by range or content, and the
bombs, locks and damage refused with one sentence before anything is drawn."""

from __future__ import annotations

import io
import itertools
import resource

import pytest
from PIL import Image

from tests.support.documents import LETTER, Page, pdf_bytes, report_pdf, text_page
from tests.support.models import LLAMA, QWEN
from vision.errors import (
    ImageTooLargeError,
    ImageUnreadableError,
    PartsNeededError,
    RequestError,
    UnsupportedImageError,
)
from vision.images.documents.choice import choose_parts, parse_pages
from vision.images.documents.opening import describe_document, open_pages
from vision.images.intake import prepare_image
from vision.images.profiles import send_size
from vision.values.image import PartChoice, SourcePart


def page(index: int, count: int = 0) -> tuple[SourcePart, ...]:
    return (SourcePart(kind="pdf", index=index, count=count),)


def pixels(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


def dark_rows(image: Image.Image) -> list[int]:
    """The rows holding ink: where the text lines lie."""
    width = image.width
    data = image.tobytes()
    return [y for y in range(image.height) if min(data[y * width : (y + 1) * width]) < 128]


@pytest.mark.parametrize("model", [QWEN, LLAMA, None])
def test_a_page_is_drawn_at_exactly_the_size_the_model_uses(model):
    # A letter page stands for 1700×2200 (200 dpi): the model's size of that is what is drawn.
    prepared = prepare_image(report_pdf(12), model=model, parts=page(2))
    assert (prepared.width, prepared.height) == send_size(model, 1700, 2200)
    assert pixels(prepared.data).size == (prepared.width, prepared.height)
    assert (prepared.original_width, prepared.original_height) == (1700, 2200)
    assert prepared.original_format == "PDF"
    assert prepared.parts == (SourcePart(kind="pdf", index=2, count=12),)
    assert prepared.parts[0].label == "page 3 of 12"
    assert any("drew page 3 of 12" in step for step in prepared.steps)


def test_each_page_sends_its_own_content_and_the_text_stays_sharp():
    document = report_pdf(3)
    first = prepare_image(document, model=QWEN, parts=page(0))
    third = prepare_image(document, model=QWEN, parts=page(2))
    assert first.sha256 != third.sha256
    assert first.source_sha256 == third.source_sha256  # both are kept as the one document
    assert first.mime == "image/png"  # text and edges go out lossless
    # Twenty lines of text, each drawn as its own band of dark rows (not smeared together).
    rows = dark_rows(pixels(first.data))
    bands = sum(1 for before, row in itertools.pairwise(rows) if row - before > 1) + 1
    assert bands == 20


def test_a_one_page_pdf_needs_no_page_named_and_a_longer_one_asks_which():
    single = prepare_image(pdf_bytes([text_page(1)]), model=QWEN)
    assert single.parts == page(0, 1)
    with pytest.raises(PartsNeededError) as caught:
        prepare_image(report_pdf(12), model=QWEN)
    assert "12 pages; choose which to send" in str(caught.value)


def test_a_page_past_the_end_is_refused_with_the_pages_there_are():
    with pytest.raises(ImageUnreadableError) as caught:
        prepare_image(report_pdf(3), model=QWEN, parts=page(5))
    assert str(caught.value) == "This PDF has 3 pages; there is no page 6. Choose one from 1 to 3."


def test_five_thousand_pages_are_refused_before_any_page_is_read():
    bomb = pdf_bytes([Page()] * 5000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImageTooLargeError) as caught:
        prepare_image(bomb, model=QWEN, parts=page(0))
    assert str(caught.value) == (
        "This PDF has 5,000 pages, more than the 1,000 opened here; save the pages you need "
        "as a smaller PDF and try again."
    )
    with pytest.raises(ImageTooLargeError):
        describe_document(bomb)
    # Refusing it held no page in memory: the process grew by well under 50 MB (kB on Linux).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000


def test_a_page_of_100000_points_a_side_is_refused_and_the_others_still_draw():
    document = pdf_bytes([text_page(1), Page(size=(100_000, 100_000), lines=("huge",))])
    with pytest.raises(ImageTooLargeError) as caught:
        prepare_image(document, model=QWEN, parts=page(1))
    assert str(caught.value) == (
        "Page 2 of this PDF is 1,389×1,389 in, too large to draw safely; choose another page, "
        "or save this one at a smaller page size."
    )
    facts = describe_document(document)
    assert facts is not None
    assert facts.sizes[0] == (1700, 2200)
    assert facts.sizes[1] == str(caught.value)
    assert prepare_image(document, model=QWEN, parts=page(0)).width == 868


def test_a_password_protected_pdf_is_one_sentence():
    locked = pdf_bytes([text_page(1)], password_protected=True)
    with pytest.raises(UnsupportedImageError) as caught:
        prepare_image(locked, model=QWEN)
    assert str(caught.value) == (
        "This PDF is locked with a password; open it, save a copy without the password (or "
        "print it to a new PDF) and try again."
    )


@pytest.mark.parametrize("kept", [0.3, 0.6, 0.9])
def test_a_truncated_pdf_is_one_sentence(kept):
    whole = report_pdf(4)
    with pytest.raises(ImageUnreadableError) as caught:
        prepare_image(whole[: int(len(whole) * kept)], model=QWEN, parts=page(0))
    assert "This PDF is damaged and cannot be read" in str(caught.value)


# Choosing pages


def test_page_ranges_read_as_people_write_them():
    assert parse_pages("1-3,7").pages == (1, 2, 3, 7)
    assert parse_pages(" 2 , 2-3 ").pages == (2, 3)
    assert parse_pages("all") == PartChoice()
    assert parse_pages("content") == PartChoice(content=True)
    for wrong in ("0", "3-1", "a-b", "1,,2"):
        with pytest.raises(RequestError) as caught:
            parse_pages(wrong)
        assert 'write pages as "1-3,7"' in str(caught.value)


def test_more_pages_than_a_request_takes_are_the_first_ten_with_a_sentence():
    pages = open_pages(report_pdf(24))
    chosen = choose_parts(pages, PartChoice())
    assert [part.number for part in chosen.parts] == list(range(1, 11))
    assert chosen.note == (
        "Pages 1–10 were taken, the first 10 of the 24 pages: a request takes at most 10 "
        "images. Choose others with a page range, such as 11-20."
    )
    chosen = choose_parts(pages, parse_pages("3,5"))
    assert [part.label for part in chosen.parts] == ["page 3 of 24", "page 5 of 24"]
    assert chosen.note is None
    with pytest.raises(RequestError) as caught:
        choose_parts(pages, parse_pages("30"))
    assert (
        str(caught.value)
        == "This PDF has 24 pages; there is no page 30. Choose pages from 1 to 24."
    )


def test_pages_with_content_skip_blank_ones_and_keep_ink_or_text():
    document = pdf_bytes(
        [
            text_page(1),  # 20 lines of text
            Page(),  # blank
            Page(lines=("This page is intentionally left blank.",)),  # 33 characters, little ink
            Page(box=True),  # a drawing: ink, no text
            Page(lines=("x" * 60,), font_size=2),  # 60 characters, almost no ink
        ]
    )
    chosen = choose_parts(open_pages(document), parse_pages("content"))
    assert [part.number for part in chosen.parts] == [1, 4, 5]
    empty = pdf_bytes([Page(), Page(size=LETTER)])
    with pytest.raises(RequestError) as caught:
        choose_parts(open_pages(empty), parse_pages("content"))
    assert "No page of this PDF passes the content threshold" in str(caught.value)


def test_pages_stitched_for_llama_are_one_grid_labelled_with_their_numbers():
    grid = prepare_image(report_pdf(12), model=LLAMA, parts=page(0) + page(1) + page(2))
    assert (grid.width, grid.height) == (1120, 1120)
    assert [cell.label for cell in grid.cells] == ["p. 1", "p. 2", "p. 3"]
    assert [part.number for part in grid.parts] == [1, 2, 3]
    # Each tile is the page drawn at the tile's size: a letter page's shape.
    for cell in grid.cells:
        assert cell.width / cell.height == pytest.approx(612 / 792, abs=0.01)
