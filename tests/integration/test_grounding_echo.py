"""Locate end to end against the echo on loopback: each family asked in its own way, its answer
read in its own frame and taken back through the exact preparation, landing on the shape drawn
in the original within 2 original pixels.

The echo finds the shapes in the image it receives and writes their boxes as the family does
(vision/echo/grounding.py), so a wrong step anywhere on the way back shows as a wrong box. A box
can only be as exact as the frame's unit in original pixels, so the originals here are sized to
keep that unit under a pixel (docs/grounding.md, "How exact")."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.conftest import ECHO_API_KEY
from tests.support.echo_requests import post
from tests.support.models import (
    ALL_ECHO_VISION_MODELS,
    GLM4V,
    LLAMA,
    LLAMA4,
    QWEN,
    QWEN3,
    QWEN25,
)
from tests.support.shapes import (
    Drawn,
    assert_box_near,
    assert_point_near,
    circle,
    rectangle,
    shapes_image,
)
from vision.api.client import VisionClient
from vision.api.payload import build_payload
from vision.echo import EchoServer
from vision.grounding.asking import LocateKind, locate_request
from vision.grounding.mapping import to_stored
from vision.grounding.reading import read_answer
from vision.images.drawing import OUTLINE, Mark, draw_marks
from vision.images.intake import prepare_image
from vision.images.stitch import stitch_layout
from vision.images.stitched import prepare_stitched
from vision.values.grounding import Box, LocatedAnswer, Point
from vision.values.image import PreparedImage
from vision.values.request import RequestOptions

RED = rectangle("red", 200, 300, 600, 700)
BLUE = circle("blue", 1000, 200, 1300, 500)
PHOTO_SIZE = (1600, 1200)


@pytest.fixture
def client(echo: EchoServer) -> Iterator[VisionClient]:
    with VisionClient(echo.base_url, ECHO_API_KEY) as made:
        yield made


def located(
    client: VisionClient,
    model: str,
    image: PreparedImage,
    target: str,
    *,
    kind: LocateKind = "box",
    frames: dict[str, str] | None = None,
) -> LocatedAnswer:
    request = locate_request(model, target, image, kind=kind, frames=frames)
    answer = read_answer(client.chat(request).text, image, frames=frames)
    assert answer.problems == ()
    return answer


def only_box(answer: LocatedAnswer) -> Box:
    (item,) = answer.located
    assert isinstance(item.shape, Box)
    return item.shape


@pytest.mark.parametrize("model", ALL_ECHO_VISION_MODELS)
def test_every_family_locates_a_shape_in_a_downscaled_photo(client: VisionClient, model: str):
    image = prepare_image(shapes_image(PHOTO_SIZE, [RED, BLUE]), model=model)
    answer = located(client, model, image, "the red rectangle")
    assert_box_near(only_box(answer), RED.box)
    assert answer.located[0].label in ("red rectangle", None)  # GLM writes no label


@pytest.mark.parametrize("model", ALL_ECHO_VISION_MODELS)
def test_every_family_points_at_a_shape(client: VisionClient, model: str):
    image = prepare_image(shapes_image(PHOTO_SIZE, [RED, BLUE]), model=model)
    (item,) = located(client, model, image, "the blue circle", kind="point").located
    # Families without a point form answer with a box: its centre is the point.
    point = item.shape.center if isinstance(item.shape, Box) else item.shape
    assert isinstance(point, Point)
    assert_point_near(point, BLUE.centre)


def test_qwen25_vl_pixels_of_an_image_its_processor_resized(client: VisionClient):
    # 700×500 is sent as it is and read as 700×504: the bottom edge moves 4 px if ignored.
    shape = rectangle("green", 100, 380, 300, 496)
    image = prepare_image(shapes_image((700, 500), [shape]), model=QWEN25)
    assert (image.width, image.height) == (700, 500)
    answer = located(client, QWEN25, image, "the green rectangle")
    assert answer.input_size == (700, 504)
    assert_box_near(only_box(answer), shape.box)


@pytest.mark.parametrize(
    ("model", "size"),
    [
        (LLAMA, (1400, 1050)),  # sent as 1120×840, read on a 1120×1120 canvas
        (LLAMA4, (1400, 900)),  # sent as it is, read on a 1680×1008 canvas
    ],
)
def test_llama_on_its_tile_canvas(client: VisionClient, model: str, size: tuple[int, int]):
    drawn = rectangle("red", 300, 500, 700, 850)
    image = prepare_image(shapes_image(size, [drawn]), model=model)
    assert_box_near(only_box(located(client, model, image, "the red rectangle")), drawn.box)
    canvas = located(client, model, image, "the red rectangle", frames={model: "input-rel1000"})
    assert canvas.input_size[1] > image.height  # the padding the relative numbers include
    assert_box_near(only_box(canvas), drawn.box)


def test_a_small_image_llama_grows_to_a_tile_then_pads(client: VisionClient):
    drawn = circle("blue", 40, 150, 160, 270)
    image = prepare_image(shapes_image((400, 300), [drawn]), model=LLAMA)
    answer = located(client, LLAMA, image, "the blue circle", frames={LLAMA: "input-rel1000"})
    assert answer.input_size == (560, 560)
    assert_box_near(only_box(answer), drawn.box)


def test_a_stitched_grid_takes_each_box_back_to_its_own_picture(client: VisionClient):
    first = [rectangle("red", 100, 100, 300, 250)]
    second = [circle("green", 500, 300, 700, 500), rectangle("blue", 50, 50, 200, 150)]
    grid = stitch_layout([shapes_image((800, 600), first), shapes_image((800, 600), second)])
    image = prepare_stitched(grid, model=LLAMA)
    (item,) = located(client, LLAMA, image, "the green circle").located
    assert item.image == 1
    assert isinstance(item.shape, Box)
    assert_box_near(item.shape, second[0].box)
    (red,) = located(client, LLAMA, image, "the red rectangle").located
    assert red.image == 0
    assert isinstance(red.shape, Box)
    assert_box_near(red.shape, first[0].box)


@pytest.mark.parametrize("orientation", [3, 6, 8])
@pytest.mark.parametrize("model", [QWEN, QWEN25])
def test_a_rotated_jpeg_lands_upright_and_back_on_its_stored_pixels(
    client: VisionClient, model: str, orientation: int
):
    stored: Drawn = rectangle("red", 150, 200, 450, 400)
    data = shapes_image((1200, 900), [stored], "JPEG", orientation=orientation)
    image = prepare_image(data, model=model)
    assert image.orientation == orientation
    upright = (image.original_width, image.original_height)
    box = only_box(located(client, model, image, "the red rectangle"))
    assert_box_near(to_stored(box, orientation, upright), stored.box)


@pytest.mark.parametrize(("model", "token"), [(QWEN, "<|box_start|>"), (GLM4V, "<|begin_of_box|>")])
def test_answers_with_their_marker_tokens_stripped_read_the_same(
    echo: EchoServer, model: str, token: str
):
    image = prepare_image(shapes_image(PHOTO_SIZE, [RED, BLUE]), model=model)
    request = locate_request(model, "the red rectangle", image)
    texts = []
    for skip in (False, True):
        response = post(echo, {**build_payload(request), "skip_special_tokens": skip})
        assert response.status_code == 200, response.text
        texts.append(response.json()["choices"][0]["message"]["content"])
    assert token in texts[0]
    assert token not in texts[1]
    for text in texts:
        answer = read_answer(text, image)
        assert answer.problems == ()
        assert_box_near(only_box(answer), RED.box)


def test_an_answer_cut_off_by_max_tokens_keeps_its_whole_boxes_and_says_so(
    client: VisionClient,
):
    drawn = [rectangle("red", 100 + 150 * index, 100, 200 + 150 * index, 200) for index in range(6)]
    image = prepare_image(shapes_image(PHOTO_SIZE, drawn), model=QWEN3)
    request = locate_request(
        QWEN3, "every red rectangle", image, options=RequestOptions(max_tokens=20)
    )
    result = client.chat(request)
    assert result.finish_reason == "length"
    answer = read_answer(result.text, image)
    assert 0 < len(answer.located) < len(drawn)
    for item, shape in zip(answer.located, drawn, strict=False):
        assert isinstance(item.shape, Box)
        assert_box_near(item.shape, shape.box)
    assert any("does not decode" in problem for problem in answer.problems)


def test_nothing_matching_is_an_empty_answer_not_a_problem(client: VisionClient):
    image = prepare_image(shapes_image(PHOTO_SIZE, [RED]), model=QWEN3)
    answer = located(client, QWEN3, image, "the purple circle")
    assert answer.located == ()


def test_the_drawn_box_lands_on_the_shape_in_the_original_photo(client: VisionClient):
    original = shapes_image(PHOTO_SIZE, [RED, BLUE])
    image = prepare_image(original, model=QWEN25)
    answer = located(client, QWEN25, image, "the red rectangle")
    marks = [Mark(shape=item.shape, label=item.label or "") for item in answer.located]
    drawn = Image.open(io.BytesIO(draw_marks(original, marks))).convert("RGB")
    middle = round(RED.centre.y)
    outline = [x for x in range(700) if drawn.getpixel((x, middle)) == OUTLINE]
    assert abs(outline[0] - RED.box.x1) <= 2
    assert abs(outline[-1] + 1 - RED.box.x2) <= 2
