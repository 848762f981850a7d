"""Batch items from the page's inputs: uploads, URL lines and a CSV naming URLs or uploads."""

from __future__ import annotations

import pytest

from vision.batch.inputs import Upload, batch_items
from vision.errors import RequestError

A = Upload(name="a.png", data=b"png-a")
B = Upload(name="b.png", data=b"png-b")


def test_uploads_and_url_lines_become_items_with_the_prompt_and_tag():
    items = batch_items(
        prompt="Describe it",
        uploads=[A, B],
        urls="https://example.com/x.jpg\n\n  https://example.com/x.jpg \nhttp://e.org/y.png",
        tag="photo",
    )
    assert [item.name for item in items] == [
        "a.png",
        "b.png",
        "https://example.com/x.jpg",
        "http://e.org/y.png",
    ]
    assert [item.image for item in items[:2]] == [b"png-a", b"png-b"]
    assert {item.prompt for item in items} == {"Describe it"}
    assert {item.tag for item in items} == {"photo"}


def test_a_csv_gives_prompts_expected_answers_and_tags_per_row():
    table = (
        "\ufeffURL,Prompt,Expected,Tag\n"
        "https://example.com/r.jpg,Read the total,42 EUR,ocr\n"
        "b.png,,a cat,\n"
        ",,,\n"
    )
    items = batch_items(prompt="Default", uploads=[A, B], table=table, tag="misc")
    assert [(i.name, i.prompt, i.expected, i.tag) for i in items] == [
        ("https://example.com/r.jpg", "Read the total", "42 EUR", "ocr"),
        ("b.png", "Default", "a cat", "misc"),
        ("a.png", "Default", None, "misc"),  # an upload the table does not name
    ]
    assert items[0].image == "https://example.com/r.jpg"
    assert items[1].image == b"png-b"


def test_a_headerless_list_of_urls_works():
    items = batch_items(prompt="p", table="https://e.org/1.png\nhttps://e.org/2.png\n")
    assert [item.image for item in items] == ["https://e.org/1.png", "https://e.org/2.png"]


@pytest.mark.parametrize(
    ("table", "urls", "words"),
    [
        ("image,expected\n/etc/passwd,x\n", "", "Row 2 of the CSV names '/etc/passwd'"),
        ("image\nmissing.png\n", "", "neither an http(s) URL nor an uploaded file"),
        ("", "file:///etc/passwd", "is not an http(s) URL"),
        ("", "ftp://example.com/a.png", "is not an http(s) URL"),
    ],
)
def test_local_paths_and_other_schemes_are_refused_with_a_sentence(table, urls, words):
    with pytest.raises(RequestError, match=words.replace("(", r"\(").replace(")", r"\)")):
        batch_items(prompt="p", table=table, urls=urls)


def test_an_empty_prompt_is_refused():
    with pytest.raises(RequestError, match="Write a prompt"):
        batch_items(prompt="  ", uploads=[A])
