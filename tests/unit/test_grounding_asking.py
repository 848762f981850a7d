"""Each family is asked to locate in its own documented words; the others get the frame and
the size the image was sent at (docs/grounding.md)."""

from __future__ import annotations

import pytest

from tests.support.images import make_image
from tests.support.models import GLM4V, GLM5, KIMI, LLAMA, LLAMA4, QWEN, QWEN3, QWEN25
from vision.errors import RequestError
from vision.grounding.asking import locate_prompt, locate_request
from vision.images.intake import prepare_image


@pytest.mark.parametrize(
    ("model", "kind", "prompt"),
    [
        (QWEN, "box", "Find <|object_ref_start|>the red cup<|object_ref_end|>"),
        (QWEN, "point", "Find <|object_ref_start|>the red cup<|object_ref_end|>"),
        (QWEN25, "box", "Locate the red cup, output its bbox coordinates using JSON format."),
        (
            QWEN25,
            "point",
            "Locate the red cup, output its coordinates in XML format <points x y>object</points>.",
        ),
        (
            QWEN3,
            "box",
            'Locate every object that matches the description "the red cup" in the image. '
            "Report bbox coordinates in JSON format.",
        ),
        (
            QWEN3,
            "point",
            "Locate the red cup in this image. Output the point coordinates in JSON format.",
        ),
        (
            GLM4V,
            "box",
            "Help me to locate the red cup in the image and give me its bounding boxes.",
        ),
    ],
)
def test_documented_families_are_asked_in_their_own_words(model, kind, prompt):
    assert locate_prompt(model, "the red cup", (1148, 840), kind=kind) == prompt


@pytest.mark.parametrize("model", [LLAMA, LLAMA4, KIMI, GLM5, "acme/unknown-vision"])
def test_families_without_a_form_are_told_the_frame_and_the_size_sent(model):
    prompt = locate_prompt(model, "every car", (1120, 840))
    assert prompt.startswith("Locate every car in this image. The image is 1120×840 pixels; ")
    assert "pixels of this image, with the origin at its top-left corner" in prompt
    assert '"bbox_2d": [x1, y1, x2, y2]' in prompt
    assert "answer [] if there is none" in prompt


def test_a_stated_relative_frame_is_stated_instead_of_the_size():
    prompt = locate_prompt(LLAMA, "the cup", (1120, 840), frames={LLAMA: "input-rel1000"})
    assert "Give coordinates from 0 to 1000 as fractions of the image's width (x)" in prompt
    assert "1120×840" not in prompt


def test_points_are_asked_with_point_2d():
    prompt = locate_prompt(LLAMA, "the cup", (560, 420), kind="point")
    assert '"point_2d": [x, y]' in prompt


def test_the_target_is_tidied_and_must_say_something():
    assert locate_prompt(QWEN, '  "the   red cup" ', (10, 10)).endswith(
        "the red cup<|object_ref_end|>"
    )
    with pytest.raises(RequestError, match="Say what to locate"):
        locate_prompt(QWEN, "  ", (10, 10))
    with pytest.raises(RequestError, match="keep it under 300"):
        locate_prompt(QWEN, "x" * 301, (10, 10))


def test_a_locate_request_carries_the_one_image_it_asks_about():
    image = prepare_image(make_image("PNG", (700, 500)), model=LLAMA, filename="a.png")
    request = locate_request(LLAMA, "the cup", image)
    assert request.model == LLAMA
    assert [ref.url for ref in request.images] == [image.data_url]
    assert "The image is 700×500 pixels" in request.prompt
