"""Each family's frame, and a model's numbers taken back to the original image through the
preparation: worked examples from docs/grounding.md."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.support.images import make_image
from tests.support.models import GLM4V, GLM5, KIMI, LLAMA, LLAMA4, MYSTERY, QWEN, QWEN3, QWEN25
from vision.errors import RequestError
from vision.grounding.frames import frame_for, named_frame
from vision.grounding.mapping import to_stored
from vision.grounding.reading import read_answer
from vision.images.intake import prepare_image
from vision.images.model_input import model_input
from vision.images.pixels import UPRIGHT
from vision.values.grounding import Box
from vision.values.image import GridCell, PreparedImage


def prepared(
    original: tuple[int, int],
    sent: tuple[int, int],
    model: str,
    *,
    cells: tuple[GridCell, ...] = (),
) -> PreparedImage:
    """The record prepare_image makes of an image of `original` size sent at `sent`."""
    return PreparedImage(
        mime="image/png",
        width=sent[0],
        height=sent[1],
        size_bytes=1,
        sha256="0" * 64,
        data_url="data:image/png;base64,AA==",
        data=b"\0",
        original_format="PNG",
        original_width=original[0],
        original_height=original[1],
        original_size_bytes=1,
        source_sha256="1" * 64,
        model=model,
        cells=cells,
    )


def only_box(text: str, image: PreparedImage, **kwargs) -> Box:
    answer = read_answer(text, image, **kwargs)
    assert answer.problems == ()
    (item,) = answer.located
    assert isinstance(item.shape, Box)
    return item.shape


# The frame belongs to the family.


@pytest.mark.parametrize(
    ("model", "frame"),
    [
        (QWEN, "rel1000"),
        (QWEN25, "input-pixels"),
        (QWEN3, "rel1000"),
        (GLM4V, "rel1000"),
        (LLAMA, "sent-pixels"),
        (LLAMA4, "sent-pixels"),
        (KIMI, "sent-pixels"),
        (GLM5, "sent-pixels"),
        (MYSTERY, "sent-pixels"),
    ],
)
def test_each_family_reads_in_its_documented_frame(model, frame):
    assert frame_for(model).name == frame


def test_a_frame_is_overridden_per_model_only():
    overrides = {KIMI: "rel1"}
    assert frame_for(KIMI, overrides).name == "rel1"
    assert frame_for(QWEN3, overrides).name == "rel1000"


def test_an_unknown_frame_name_says_which_exist():
    with pytest.raises(
        RequestError, match="no coordinate frame called 'percent'; use one of rel1000"
    ):
        named_frame("percent")


# What the model read.


def test_what_each_family_reads_of_the_images_the_app_sends():
    assert model_input(QWEN25, 1148, 840).width == 1148  # on the grid: not resized again
    qwen25 = model_input(QWEN25, 700, 500)  # sent as is; the server rounds to 28
    assert (qwen25.width, qwen25.height) == (700, 504)
    qwen3 = model_input(QWEN3, 1148, 840)  # 32-px cells
    assert (qwen3.width, qwen3.height) == (1152, 832)
    llama = model_input(LLAMA, 1120, 840)  # the 2×2 canvas, padded at the bottom
    assert (llama.width, llama.height, llama.picture_width, llama.picture_height) == (
        1120,
        1120,
        1120,
        840,
    )
    small = model_input(LLAMA, 400, 300)  # grown to one tile's width, then padded
    assert (small.width, small.height, small.picture_width, small.picture_height) == (
        560,
        560,
        560,
        420,
    )


# Worked examples, sent → original.


def test_qwen25_vl_pixels_of_the_sent_grid_map_with_one_factor_per_axis():
    # 4032×3024 sent as 1148×840 (docs/grounding.md): ×3.5122 across, ×3.6 down.
    image = prepared((4032, 3024), (1148, 840), QWEN25)
    box = only_box('[{"bbox_2d": [574, 420, 861, 630], "label": "cake"}]', image)
    assert box.as_list() == pytest.approx([2016, 1512, 3024, 2268])
    # One factor for both axes would have put y1 at 1475; thousandths would put x1 at 2314.
    assert only_box("[[574, 420, 861, 630]]", image, frames={QWEN25: "rel1000"}).x1 == (
        pytest.approx(2314.37, abs=0.01)
    )


def test_the_worked_examples_sizes_are_what_the_app_sends():
    image = prepare_image(make_image("PNG", (4032, 3024)), model=QWEN25)
    assert (image.width, image.height) == (1148, 840)


def test_qwen25_vl_pixels_of_an_image_the_server_resized_itself():
    # 700×500 is sent as it is; the processor reads 700×504, so y is scaled by 500/504.
    image = prepared((700, 500), (700, 500), QWEN25)
    box = only_box('{"bbox_2d": [70, 252, 140, 504]}', image)
    assert box.as_list() == pytest.approx([70, 250, 140, 500])


def test_qwen2_vl_thousandths_of_the_original():
    image = prepared((1600, 1200), (1148, 840), QWEN)
    box = only_box("图片(460,66),(683,252)", image)
    assert box.as_list() == pytest.approx([736, 79.2, 1092.8, 302.4])


def test_qwen3_vl_point_in_thousandths():
    image = prepared((2000, 1000), (1312, 640), QWEN3)
    answer = read_answer('[{"point_2d": [925, 618], "label": "point_1"}]', image)
    assert answer.located[0].shape.as_list() == pytest.approx([1850, 618])


def test_glm_thousandths_without_a_label():
    image = prepared((1000, 500), (1000, 504), GLM4V)
    box = only_box("<|begin_of_box|>[[100,200,300,400]]<|end_of_box|>", image)
    assert box.as_list() == pytest.approx([100, 100, 300, 200])


def test_kimi_vl_fractions_when_the_frame_says_so():
    image = prepared((1000, 800), (1000, 800), KIMI)
    box = only_box('{"bbox_2d": [0.28, 0.50, 0.52, 0.70]}', image, frames={KIMI: "rel1"})
    assert box.as_list() == pytest.approx([280, 400, 520, 560])


def test_rel999_divides_by_999():
    image = prepared((999, 999), (999, 999), QWEN)
    assert only_box("[[0, 0, 999, 999]]", image, frames={QWEN: "rel999"}) == Box(0, 0, 999, 999)


def test_llama_pixels_of_the_sent_image():
    image = prepared((2240, 1680), (1120, 840), LLAMA)
    assert only_box('[{"bbox_2d": [100, 200, 300, 400]}]', image) == Box(200, 400, 600, 800)


def test_llama_thousandths_of_its_padded_canvas():
    # 400×300 is read as 560×420 on a 560×560 canvas: the picture's bottom edge is at 750.
    image = prepared((800, 600), (400, 300), LLAMA)
    box = only_box("[[0, 0, 1000, 750]]", image, frames={LLAMA: "input-rel1000"})
    assert box.as_list() == pytest.approx([0, 0, 800, 600])
    # Read as thousandths of the picture instead, the padding shrinks it by a quarter.
    assert only_box("[[0, 0, 1000, 750]]", image, frames={LLAMA: "rel1000"}).y2 == 450


def test_what_the_mapping_went_through_is_kept():
    answer = read_answer("[[0, 0, 10, 10]]", prepared((2240, 1680), (1120, 840), LLAMA))
    assert answer.frame.name == "sent-pixels"
    assert (answer.sent_size, answer.input_size) == ((1120, 840), (1120, 1120))
    assert answer.located[0].found.shape == Box(0, 0, 10, 10)


# Outside the image, and stitched grids.


def test_a_box_past_the_edge_is_clipped_and_said():
    image = prepared((1000, 1000), (1000, 1000), LLAMA)
    answer = read_answer("[[900, 900, 1200, 1100]]", image)
    (item,) = answer.located
    assert item.shape == Box(900, 900, 1000, 1000)
    assert item.clipped
    assert item.note == "This box reached past the edge of the image and was clipped to it."


def test_a_box_or_point_wholly_outside_is_reported_not_drawn():
    image = prepared((100, 100), (100, 100), LLAMA)
    answer = read_answer('[[150, 10, 190, 50]] [{"point_2d": [-5, 20]}]', image)
    assert answer.located == ()
    assert answer.problems == (
        "The box [150, 10, 190, 50] lies wholly outside the image; it is not drawn.",
        "The point [-5, 20] falls outside the image; it is not drawn.",
    )


GRID_CELLS = (
    GridCell(
        label="1. a", left=0, top=36, width=556, height=417, source_width=800, source_height=600
    ),
    GridCell(
        label="2. b", left=564, top=36, width=556, height=417, source_width=1112, source_height=834
    ),
)


def test_a_box_on_a_stitched_grid_goes_back_to_the_picture_it_falls_on():
    image = prepared((1120, 1120), (1120, 1120), LLAMA, cells=GRID_CELLS)
    answer = read_answer("[[564, 36, 842, 244.5]]", image)
    (item,) = answer.located
    assert item.image == 1
    assert item.shape.as_list() == pytest.approx([0, 0, 556, 417])


def test_a_box_on_no_picture_of_the_grid_is_reported():
    image = prepared((1120, 1120), (1120, 1120), LLAMA, cells=GRID_CELLS)
    answer = read_answer("[[0, 900, 50, 1000]]", image)
    assert answer.located == ()
    assert answer.problems == (
        "The box [0, 900, 50, 1000] is on none of the stitched pictures; it is not drawn.",
    )


# EXIF orientation: upright pixels back to the file as stored.


@pytest.mark.parametrize("orientation", range(1, 9))
def test_upright_boxes_go_back_to_the_stored_pixels_for_every_orientation(orientation):
    stored = Image.new("L", (60, 40), 0)
    stored.paste(255, (10, 5, 25, 12))  # a 15×7 mark at x 10–25, y 5–12
    upright = stored.transpose(UPRIGHT[orientation]) if orientation in UPRIGHT else stored
    left, top, right, bottom = upright.getbbox() or (0, 0, 0, 0)
    back = to_stored(Box(left, top, right, bottom), orientation, upright.size)
    assert back == Box(10, 5, 25, 12)
