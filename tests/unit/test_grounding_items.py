"""Grounding items read from a batch's file or the page's table: the expression, the task and
the reference boxes in original pixels (RefCOCO's bbox is [x, y, w, h]), with a sentence for
each row that cannot be one."""

from __future__ import annotations

import json

import pytest

from vision.batch.items.files import open_source
from vision.batch.items.uploads import Upload, page_items, read_table
from vision.errors import RequestError
from vision.values.grounding import Box, LocateTask, Reference


def items_of(tmp_path, lines, name="set.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return list(open_source(str(path), "Describe"))


def test_a_refcoco_row_gives_a_box_item_and_bbox_reads_as_x_y_width_height(tmp_path):
    corners, coco = items_of(
        tmp_path,
        [
            {"image": "a.png", "expression": "the red cup", "box": [10, 20, 110, 220]},
            {"image": "a.png", "expression": "the red cup", "bbox": [10, 20, 100, 200]},
        ],
    )
    expected = LocateTask(
        task="box", target="the red cup", references=(Reference(box=Box(10, 20, 110, 220)),)
    )
    assert corners.locate == expected
    assert coco.locate == expected
    # The prompt is only the expression: each model is asked in its family's words.
    assert corners.prompt == "the red cup"


def test_a_pointing_item_and_a_detection_item_with_labels(tmp_path):
    point, detection = items_of(
        tmp_path,
        [
            {"image": "a.png", "expression": "the cup", "box": [0, 0, 10, 10], "task": "point"},
            {
                "image": "a.png",
                "boxes": [
                    {"box": [0, 0, 10, 10], "label": "car"},
                    {"bbox": [20, 20, 5, 5], "category": "person"},
                    [30, 30, 40, 40],
                ],
            },
        ],
    )
    assert point.locate.task == "point"
    assert point.locate.kind == "point"
    assert detection.locate.task == "detection"
    assert detection.locate.kind == "box"
    assert detection.locate.references == (
        Reference(box=Box(0, 0, 10, 10), label="car"),
        Reference(box=Box(20, 20, 25, 25), label="person"),
        Reference(box=Box(30, 30, 40, 40)),
    )
    # No expression: every labelled kind is asked for.
    assert detection.locate.target == "every car and every person"


def test_a_detection_item_may_expect_nothing(tmp_path):
    (item,) = items_of(
        tmp_path, [{"image": "a.png", "expression": "every dog", "task": "detection", "boxes": []}]
    )
    assert item.locate == LocateTask(task="detection", target="every dog")


def test_a_csv_cell_holds_four_numbers_or_json(tmp_path):
    table = tmp_path / "items.csv"
    table.write_text(
        'image,expression,box,boxes\na.png,the cup,"10 20 30 40",\n'
        'a.png,every cup,,"[{""box"": [1, 2, 3, 4], ""label"": ""cup""}]"\n'
    )
    single, listed = open_source(str(table), "Describe")
    assert single.locate.references == (Reference(box=Box(10, 20, 30, 40)),)
    assert listed.locate.task == "detection"
    assert listed.locate.references == (Reference(box=Box(1, 2, 3, 4), label="cup"),)


def test_rows_that_are_not_grounding_items_stay_as_they_were(tmp_path):
    (item,) = items_of(tmp_path, [{"image": "a.png", "question": "What?", "answer": "cat"}])
    assert item.locate is None
    assert (item.prompt, item.expected) == ("What?", "cat")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ({"expression": "the cup", "box": [1, 2, 3]}, "box that is not four numbers"),
        ({"expression": "the cup", "box": "left side"}, "box that is not four numbers"),
        ({"expression": "the cup", "box": [30, 30, 10, 10]}, "empty or negative box"),
        ({"expression": "the cup", "bbox": [0, 0, 0, 5]}, "empty or negative box"),
        ({"expression": "the cup"}, "with no reference box"),
        ({"box": [0, 0, 5, 5]}, "gives boxes but no expression"),
        ({"expression": "x", "box": [0, 0, 5, 5], "task": "segment"}, "the task 'segment'"),
        (
            {"expression": "x", "boxes": [[0, 0, 5, 5], [1, 1, 6, 6]], "task": "point"},
            "point item with 2 reference boxes",
        ),
        (
            {"expression": "x", "box": [0, 0, 5, 5], "question": "Where?"},
            "both a question and an expression",
        ),
        ({"expression": "x", "boxes": [{"label": "car"}]}, "box 1, has neither a box nor a bbox"),
        ({"expression": "x", "boxes": "[oops"}, "boxes that are not a list"),
    ],
)
def test_each_bad_grounding_row_is_a_sentence_naming_its_line(tmp_path, line, words):
    with pytest.raises(RequestError, match=r"Line 1 of set\.jsonl") as caught:
        items_of(tmp_path, [{"image": "a.png", **line}])
    assert words in str(caught.value)


def test_a_grounding_item_needs_the_image_bytes_not_a_url(tmp_path):
    with pytest.raises(RequestError, match="download it and name the file"):
        items_of(
            tmp_path,
            [{"image": "https://example.com/a.png", "expression": "x", "box": [0, 0, 5, 5]}],
        )


def test_the_pages_table_reads_grounding_rows_and_refuses_them_by_url():
    table = json.dumps({"image": "a.png", "expression": "the cup", "bbox": [1, 1, 4, 4]})
    (item,) = page_items(
        prompt="Describe",
        uploads=[Upload(name="a.png", data=b"png")],
        table=read_table(table.encode()),
    )
    assert item.locate == LocateTask(
        task="box", target="the cup", references=(Reference(box=Box(1, 1, 5, 5)),)
    )
    by_url = json.dumps(
        {"image": "https://example.com/a.png", "expression": "the cup", "box": [1, 1, 4, 4]}
    )
    with pytest.raises(RequestError, match=r"Line 1 of the JSONL .* upload the file instead"):
        page_items(prompt="Describe", table=read_table(by_url.encode()))


def test_a_locate_task_survives_its_json():
    task = LocateTask(
        task="detection",
        target="every car",
        references=(Reference(box=Box(1, 2, 3, 4), label="car"), Reference(box=Box(5, 6, 7, 8))),
    )
    assert LocateTask.from_json(json.loads(json.dumps(task.to_json()))) == task
