"""Batch inputs read lazily: a folder, a CSV, a JSONL and VLMEvalKit's TSV, one item at a time."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.images import make_image
from vision.batch.items.files import open_source
from vision.errors import RequestError
from vision.scoring.choice import CHOICE_INSTRUCTION
from vision.values.batch import ImageFile


def test_a_folder_names_its_images_in_order_and_reads_none_of_them(tmp_path):
    for name in ("b.png", "a.jpg", "notes.txt"):
        (tmp_path / name).write_bytes(make_image("PNG", (40, 30)))
    source = open_source(str(tmp_path), "Describe", tag="photo")
    items = list(source)
    assert [item.name for item in items] == ["a.jpg", "b.png"]
    assert items[0].image == ImageFile(str(tmp_path / "a.jpg"))
    assert {item.tag for item in items} == {"photo"}
    assert source.count() == 2


def test_a_csv_row_gives_its_prompt_answers_and_tag_and_a_url_stays_a_url(tmp_path):
    (tmp_path / "c.png").write_bytes(make_image("PNG", (40, 30)))
    table = tmp_path / "items.csv"
    table.write_text(
        "image,question,answers,tag\nc.png,How many?,3|three,chart\nhttps://example.com/x.png,,,\n"
    )
    first, second = open_source(str(table), "Default", tag="other")
    assert first.image == ImageFile(str(tmp_path / "c.png"))
    assert (first.prompt, first.expected, first.answers, first.tag) == (
        "How many?",
        "3",
        ("3", "three"),
        "chart",
    )
    assert second.image == "https://example.com/x.png"
    assert (second.prompt, second.expected, second.tag) == ("Default", None, "other")


def test_jsonl_items_carry_several_answers_and_lettered_options(tmp_path):
    lines = [
        {"image": "a.png", "question": "Colour?", "answer": ["red", "crimson"], "tag": "vqa"},
        {"id": "q2", "image": "b.png", "question": "Which?", "options": ["cat", "dog"],
         "answer": "B"},
    ]  # fmt: skip
    table = tmp_path / "set.jsonl"
    table.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    first, second = open_source(str(table), "Default")
    assert first.references == ("red", "crimson")
    assert first.name == "a.png"
    assert second.name == "q2"
    assert second.choices == ("cat", "dog")
    assert second.expected == "B"
    assert "A. cat\nB. dog" in second.prompt
    assert second.prompt.endswith(CHOICE_INSTRUCTION)


def test_a_bad_jsonl_line_is_a_sentence_naming_it(tmp_path):
    table = tmp_path / "set.jsonl"
    table.write_text('{"image": "a.png"}\n{not json\n')
    with pytest.raises(RequestError, match=r"Line 2 of set.jsonl is not JSON"):
        list(open_source(str(table), "Default"))


def test_a_vlmevalkit_tsv_decodes_each_rows_base64_image_and_options(tmp_path):
    image = make_image("PNG", (50, 40))
    encoded = base64.b64encode(image).decode()
    table = tmp_path / "MMBench.tsv"
    table.write_text(
        "index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\n"
        f"7\tWhat is shown?\tLook closely\tcat\tdog\tbird\t\tB\tanimals\t{encoded}\n"
    )
    (item,) = open_source(str(table), "unused")
    assert item.image == image
    assert item.name == "7"
    assert item.choices == ("cat", "dog", "bird")
    assert item.expected == "B"
    assert item.tag == "animals"
    assert item.prompt.startswith("Hint: Look closely\nWhat is shown?\nOptions:\nA. cat")


def test_a_tsv_row_pointing_at_another_rows_image_is_refused_with_a_sentence(tmp_path):
    table = tmp_path / "bench.tsv"
    table.write_text("index\tquestion\tanswer\timage\n1\tQ\tA\t0\n")
    with pytest.raises(RequestError, match="another row's image"):
        list(open_source(str(table), "unused"))


def test_items_are_read_one_at_a_time(tmp_path):
    table = tmp_path / "set.jsonl"
    table.write_text('{"image": "a.png"}\n{"image": "b.png"}\nnot json at all\n')
    items = iter(open_source(str(tmp_path / "set.jsonl"), "p"))
    # The first two come out before the broken third line is ever read.
    assert next(items).name == "a.png"
    assert next(items).name == "b.png"
    with pytest.raises(RequestError):
        next(items)


def test_an_empty_source_or_a_missing_path_is_a_sentence(tmp_path):
    with pytest.raises(RequestError, match="No image files found"):
        open_source(str(tmp_path), "p")
    with pytest.raises(RequestError, match="neither a folder nor a CSV, JSONL or TSV"):
        open_source(str(tmp_path / "nowhere"), "p")
