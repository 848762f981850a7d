"""Locate on the Playground (AppTest against the echo, which finds the shapes it is sent): each
model is asked in its family's own words, its answer's boxes are listed in the original photo's
pixels and drawn over it, and a reopened run brings its question and boxes back."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.models import LLAMA, QWEN
from tests.support.pages import shows, walk
from tests.support.playground_page import answered, send, upload
from tests.support.shapes import assert_box_near, circle, rectangle, shapes_image
from vision.history.store import HistoryStore
from vision.values.grounding import Box
from vision.values.run import RunFilter

RED = rectangle("red", 200, 300, 600, 700)
BLUE = circle("blue", 1000, 200, 1300, 500)
SHAPES = ("shapes.png", shapes_image((1600, 1200), [RED, BLUE]), "image/png")


def _locate(at: AppTest, target: str) -> None:
    at.segmented_control(key="ask_mode").set_value("Locate").run()
    at.text_input(key="locate_target").set_value(target).run()


def _drawn(at: AppTest) -> list[str]:
    """The alt text of every picture drawn on the page."""
    return [str(node.proto) for node in walk(at._tree) if getattr(node, "type", None) == "image"]


def test_locate_asks_each_family_its_own_way_and_lists_the_boxes_in_original_pixels(
    app, echo, history_file
):
    at = app()
    upload(at, SHAPES)
    _locate(at, "the red rectangle")
    send(at)

    prompts = {
        request.body["model"]: request.body["messages"][-1]["content"][0]["text"]
        for request in echo.chat_requests
    }
    assert prompts[QWEN] == "Find <|object_ref_start|>the red rectangle<|object_ref_end|>"
    assert "Locate the red rectangle in this image. The image is " in prompts[LLAMA]
    # Both answers' boxes, read in each family's frame, land on the rectangle as drawn.
    lines = [text for text in _captions(at) if "**red rectangle**: box [" in text]
    assert lines == ["1. **red rectangle**: box [200, 300, 600, 700] px"] * 2
    drawn = [image for image in _drawn(at) if "boxes on shapes.png" in image]
    assert len(drawn) == 2
    for run in HistoryStore(history_file).search_runs(RunFilter()):
        assert run.locate is not None
        assert run.locate.target == "the red rectangle"


def _captions(at: AppTest) -> list[str]:
    return [str(caption.value) for caption in at.caption]


def test_a_reopened_locate_run_comes_back_as_locate_with_its_boxes(app, history_file):
    at = app()
    upload(at, SHAPES)
    _locate(at, "the blue circle")
    send(at)
    (run,) = HistoryStore(history_file).search_runs(RunFilter(model=QWEN))
    at.switch_page("ui/pages/history.py").run()
    at.selectbox(key="history_run").set_value(run.id).run()
    at.button(key=f"reopen_{run.id}").click().run()
    answered(at)
    assert at.segmented_control(key="ask_mode").value == "Locate"
    assert at.text_input(key="locate_target").value == "the blue circle"
    (line,) = [text for text in _captions(at) if "**blue circle**: box [" in text]
    numbers = line.split("[")[1].split("]")[0].replace(",", "").split()
    found = [float(number) for number in numbers]
    assert_box_near(Box(*found), BLUE.box)  # in the original's pixels, within 2 of the shape


def test_locate_in_two_images_says_to_remove_one(app, echo):
    at = app()
    upload(at, SHAPES, ("more.png", shapes_image((800, 600), [RED]), "image/png"))
    _locate(at, "the red rectangle")
    assert at.button(key="send").disabled
    assert shows(at, "Locate looks in one image at a time: remove 1 of the 2.")
    assert echo.chat_requests == []


def test_an_answer_with_boxes_outside_the_picture_says_so_plainly(app, echo):
    at = app()
    upload(at, SHAPES)
    at.text_area(key="prompt").set_value("Say [[1200, 1200, 1400, 1400]] and nothing else").run()
    send(at)
    assert shows(at, "No box or point of this answer can be drawn on the photo.")
    assert shows(
        at, "The box [1200, 1200, 1400, 1400] lies wholly outside the image; it is not drawn."
    )
