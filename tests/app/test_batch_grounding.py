"""The Batch page with grounding items, through AppTest against the echo backend: a JSONL table
of expressions and reference boxes, each model asked in its family's words, and the metric
choice scoring Acc@0.5 and detection's precision and recall."""

from __future__ import annotations

import json

from tests.support.models import LLAMA, QWEN
from tests.support.pages import TIMEOUT_S, table_with, texts
from tests.support.shapes import circle, rectangle, shapes_image

RED = rectangle("red", 200, 300, 600, 700)
BLUE = circle("blue", 1000, 200, 1300, 500)


def test_grounding_rows_are_asked_in_each_familys_words_and_scored_by_their_boxes(batch_page, echo):
    at = batch_page()
    rows = [
        {"image": "shapes.png", "id": "red", "expression": "the red rectangle",
         "box": RED.box.as_list()},
        {"image": "shapes.png", "id": "green", "expression": "the green rectangle",
         "box": [10, 10, 60, 60]},
        {"image": "shapes.png", "id": "all", "boxes": [
            {"box": RED.box.as_list(), "label": "red rectangle"},
            {"box": BLUE.box.as_list(), "label": "blue circle"}]},
    ]  # fmt: skip
    table = "".join(json.dumps(row) + "\n" for row in rows).encode()
    at.file_uploader(key="batch_table").set_value(("items.jsonl", table, "application/jsonl"))
    at.run()
    photo = shapes_image((1600, 1200), [RED, BLUE])
    at.file_uploader(key="batch_images").set_value([("shapes.png", photo, "image/png")]).run()
    at.multiselect(key="batch_models").set_value([QWEN, LLAMA]).run()
    at.button(key="batch_run").click().run()
    assert at.session_state["batch"].wait(TIMEOUT_S), "the batch did not finish"
    at.run()
    assert not at.exception, texts(at)
    prompts = {r.body["model"]: r.body["messages"][-1]["content"][0]["text"]
               for r in echo.chat_requests}  # fmt: skip
    assert prompts[QWEN].startswith("Find <|object_ref_start|>")
    assert "The image is 1120×840 pixels" in prompts[LLAMA]

    at.selectbox(key="batch_metric").set_value("iou").run()
    rates = table_with(at, "pass rate")
    # The red rectangle is found; there is no green one.
    assert list(rates["pass rate"]) == [50.0, 50.0]
    at.selectbox(key="batch_metric").set_value("detection").run()
    rates = table_with(at, "pass rate")
    assert list(rates["pass rate"]) == [100.0, 100.0]
    assert list(rates["recall"]) == ["100% (34% – 100%)"] * 2
