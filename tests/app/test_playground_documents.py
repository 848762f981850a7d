"""A PDF or a video on the Playground through AppTest: a card per page or frame, the sentence
saying which pages were taken, the picker choosing pages or frames, Remove on one page, and a page
that reopens as that page."""

from __future__ import annotations

from tests.app.test_reopen import cards, reopen
from tests.support.documents import report_pdf, tiff_bytes, video_bytes
from tests.support.models import LLAMA, QWEN
from tests.support.pages import shows
from tests.support.playground_page import send, upload

REPORT = ("report.pdf", report_pdf(12), "application/pdf")


def _plain(markdown: str) -> str:
    """Text as a person reads it (the page escapes Markdown in file names and sentences)."""
    return markdown.replace("\\", "")


def _image_parts(echo, model: str) -> int:
    (request,) = [request for request in echo.chat_requests if request.body["model"] == model]
    content = request.body["messages"][-1]["content"]
    return sum(1 for part in content if part["type"] == "image_url")


def test_a_twelve_page_pdf_is_ten_page_cards_with_the_sentence_and_sends_them(app, echo):
    at = app()
    upload(at, REPORT)

    assert cards(at) == [f"report.pdf, page {number} of 12" for number in range(1, 11)]
    assert [_plain(info.value) for info in at.info if "were taken" in info.value] == [
        "Pages 1–10 were taken, the first 10 of the 12 pages: a request takes at most 10 "
        "images. Choose others with a page range, such as 11, 12."
    ]
    assert not at.error
    send(at)
    assert _image_parts(echo, QWEN) == 10
    assert _image_parts(echo, LLAMA) == 1  # Llama's default: the pages as one labelled grid


def test_a_multi_page_tiff_is_a_card_per_page_and_sends_each_page(app, echo):
    at = app()
    scan = tiff_bytes([(200, 30, 30), (30, 200, 30), (30, 30, 200)])
    upload(at, ("scan.tif", scan, "image/tiff"))

    assert cards(at) == [f"scan.tif, page {number} of 3" for number in range(1, 4)]
    assert not at.error
    send(at)
    assert _image_parts(echo, QWEN) == 3
    assert _image_parts(echo, LLAMA) == 1  # the three pages as one labelled grid


def _picker(at):
    (picker,) = [box for box in at.text_input if str(box.key or "").startswith("parts:")]
    return picker


def test_the_picker_takes_the_pages_named_and_says_what_to_write_when_it_cannot_read(app):
    at = app()
    upload(at, REPORT)
    assert _plain(_picker(at).label) == "Pages of report.pdf (a PDF of 12 pages)"

    _picker(at).set_value("11-12, 3").run()
    assert cards(at) == [
        "report.pdf, page 11 of 12",
        "report.pdf, page 12 of 12",
        "report.pdf, page 3 of 12",
    ]
    assert not shows(at, "were taken")

    _picker(at).set_value("three").run()
    assert [_plain(error.value) for error in at.error] == [
        '\'three\' is not a page or a range of pages; write pages as "1-3,7" (from 1), "all" '
        'or "content".'
    ]


def test_remove_takes_one_page_off_and_leaves_the_others(app):
    at = app()
    upload(at, ("report.pdf", report_pdf(3), "application/pdf"))
    (remove,) = [
        button
        for button in at.button
        if str(button.key or "").startswith("remove:") and str(button.key).endswith("#pdf1")
    ]
    remove.click().run()

    assert not at.exception
    assert cards(at) == ["report.pdf, page 1 of 3", "report.pdf, page 3 of 3"]


def test_a_video_is_eight_frame_cards_until_times_are_chosen(app):
    at = app()
    upload(at, ("clip.mp4", video_bytes(16), "video/mp4"))

    shown = cards(at)
    assert len(shown) == 8
    assert shown[0] == "clip.mp4, frame at 0:01 (1 of 8)"
    assert not at.error
    _picker(at).set_value("0:04, 0:10").run()
    assert cards(at) == ["clip.mp4, frame at 0:04 (1 of 2)", "clip.mp4, frame at 0:10 (2 of 2)"]


def test_a_sent_page_reopens_as_that_page_not_the_whole_document(app, history_file):
    at = app()
    upload(at, ("report.pdf", report_pdf(3), "application/pdf"))
    at.multiselect(key="models").set_value([QWEN]).run()
    for key in ("#pdf0", "#pdf2"):
        (remove,) = [
            b
            for b in at.button
            if str(b.key or "").startswith("remove:") and str(b.key).endswith(key)
        ]
        remove.click().run()
    send(at)

    reopen(at, history_file, model=QWEN)
    assert cards(at) == ["report.pdf, page 2 of 3"]
    assert not shows(at, "were taken")
