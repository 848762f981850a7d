"""Batch items from the page's inputs: uploads, URL lines and a CSV naming URLs or uploads."""

from __future__ import annotations

import pytest

from vision.batch.items.uploads import Upload, page_items, read_table
from vision.errors import RequestError
from vision.values.batch import BatchItem

A = Upload(name="a.png", data=b"png-a")
B = Upload(name="b.png", data=b"png-b")


def batch_items(*, table: str = "", **inputs) -> list[BatchItem]:
    """Every item the page's inputs give, read from the table's bytes as the page reads them."""
    return list(page_items(table=read_table(table.encode()), **inputs))


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


def test_an_empty_prompt_asks_the_images_the_default_question_as_the_playground_does():
    (item,) = batch_items(prompt="  ", uploads=[A])
    assert item.prompt == "What is in this image?"


def test_a_csv_row_with_options_asks_them_lettered_and_circularly_once_per_rotation():
    table = "image,id,question,options,answer\na.png,q1,Which colour?,red|green|blue,green\n"
    (plain,) = batch_items(prompt="p", uploads=[A], table=table)
    assert plain.name == "q1"
    assert plain.choices == ("red", "green", "blue")
    assert "A. red\nB. green\nC. blue" in plain.prompt
    assert plain.expected == "green"
    rotated = batch_items(prompt="p", uploads=[A], table=table, circular=True)
    assert [item.name for item in rotated] == [f"q1 [rotation {n}/3]" for n in (1, 2, 3)]
    assert [item.expected for item in rotated] == ["B", "A", "C"]
    assert rotated[1].choices == ("green", "blue", "red")


def test_jsonl_rows_take_lists_and_letter_columns_and_two_questions_on_one_image_stay_apart():
    table = (
        '{"image": "a.png", "question": "Shape?", "options": {"A": "square", "B": "round"}, '
        '"answer": "A", "category": "shapes"}\n'
        '{"url": "a.png", "question": "Count?", "answers": ["2", "two"]}\n'
        '{"url": "a.png", "question": "Count again?", "answer": ["3", "three"]}\n'
    )
    first, second, third = batch_items(prompt="p", uploads=[A], table=table)
    assert first.choices == ("square", "round")
    assert first.tag == "shapes"
    assert second.references == ("2", "two")
    assert (third.expected, third.references) == ("3", ("3", "three"))
    assert (first.name, second.name) == ("a.png (row 1)", "a.png (row 2)")
    csv_letters = "image,question,a,b,c,answer\na.png,Which?,x,y,,B\n"
    (item,) = batch_items(prompt="p", uploads=[A], table=csv_letters)
    assert item.choices == ("x", "y")


def test_a_jsonl_line_that_is_not_an_object_or_names_no_image_is_a_sentence():
    with pytest.raises(RequestError, match="Line 2 of the JSONL is not JSON"):
        batch_items(prompt="p", uploads=[A], table='{"image": "a.png"}\n{nope\n')
    with pytest.raises(RequestError, match="Line 1 of the JSONL names no image"):
        batch_items(prompt="p", table='{"question": "What?"}\n')
    with pytest.raises(RequestError, match=r"Line 1 of the JSONL names 'c\.png'"):
        batch_items(prompt="p", table='{"image": "c.png"}\n')
