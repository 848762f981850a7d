"""`python -m vision ask --locate`: boxes printed in the original image's pixels, as text and
JSON, against the echo on loopback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.integration.test_cli import assert_clean_failure, run_cli
from tests.support.models import LLAMA, QWEN, QWEN25
from tests.support.shapes import circle, rectangle, shapes_image
from vision.echo import EchoServer

RED = rectangle("red", 200, 300, 600, 700)
BLUE = circle("blue", 1000, 200, 1300, 500)


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    path = tmp_path / "shapes.png"
    path.write_bytes(shapes_image((1600, 1200), [RED, BLUE]))
    return path


def near(values: list[float], expected: list[float]) -> bool:
    return all(abs(a - b) <= 2 for a, b in zip(values, expected, strict=True))


def test_locate_prints_each_models_box_in_original_pixels(echo: EchoServer, shapes: Path):
    result = run_cli(
        "ask", "--locate", "the red rectangle", "-m", QWEN, "-m", LLAMA, "-i", str(shapes),
        echo=echo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("=== ")[1:]
    assert [block.split(" · ")[0] for block in blocks] == [QWEN, LLAMA]
    for block in blocks:
        found = re.search(r"red rectangle: box \[([\d., ]+)\]", block)
        assert found, block
        assert near([float(v) for v in found.group(1).split(",")], RED.box.as_list())
        assert "original 1600×1200" in block
    assert "frame: rel1000" in blocks[0]
    assert "frame: sent-pixels" in blocks[1]


def test_locate_json_has_boxes_in_original_pixels_and_as_written(
    echo: EchoServer, shapes: Path, tmp_path: Path
):
    drawn = tmp_path / "drawn"
    result = run_cli(
        "ask", "--locate", "the blue circle", "--points", "-m", QWEN25, "-i", str(shapes),
        "--json", "--draw", str(drawn),
        echo=echo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["locate"], body["kind"]) == ("the blue circle", "point")
    (entry,) = body["results"]
    assert entry["ok"]
    assert entry["frame"]["name"] == "input-pixels"
    assert entry["original_size"] == [1600, 1200]
    (point,) = entry["located"]
    assert point["kind"] == "point"
    assert near(point["original"], BLUE.centre.as_list())
    assert point["as_written"] != point["original"]  # the frame of the 1148×840 sent image
    picture = Image.open(entry["drawn"])
    assert picture.size == (1600, 1200)


def test_locate_with_a_frame_override_and_what_it_refuses(echo: EchoServer, shapes: Path):
    result = run_cli(
        "ask", "--locate", "the red rectangle", "--frame", "input-rel1000", "-m", LLAMA,
        "-i", str(shapes), "--json",
        echo=echo,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)["results"]
    assert entry["frame"]["name"] == "input-rel1000"
    assert near(entry["located"][0]["original"], RED.box.as_list())
    bad = run_cli("ask", "--locate", "x", "--frame", "percent", "-m", LLAMA, "-i", str(shapes))
    assert "no coordinate frame called 'percent'" in assert_clean_failure(bad)
    no_image = run_cli("ask", "--locate", "x", "-m", LLAMA, echo=echo)
    assert "add -i IMAGE" in assert_clean_failure(no_image)
