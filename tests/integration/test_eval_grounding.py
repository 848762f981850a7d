"""A small grounding batch end to end against the echo on loopback: synthetic shapes with known
boxes, asked of each model in its family's words, scored by `vision eval --metric
iou|point|detection`, reported, exported with boxes in both frames, drawn, and swept over two
resolutions. The echo finds the shapes it is sent, so every figure follows from what was drawn:
an expression naming a drawn shape is found, one naming nothing is a miss."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from PIL import Image

from tests.conftest import ECHO_API_KEY
from tests.support.models import LLAMA, QWEN
from tests.support.shapes import assert_box_near, circle, rectangle, shapes_image
from vision.cli.main import main
from vision.export.drawn import drawn_run
from vision.export.runs import export_json
from vision.grounding.scores import iou
from vision.history.replay import rebuild_request
from vision.history.store import HistoryStore
from vision.images.drawing import PALETTE
from vision.scoring.intervals import wilson
from vision.values.grounding import Box

SIZE = (1600, 1200)
RED = rectangle("red", 200, 300, 600, 700)
BLUE = circle("blue", 1000, 200, 1300, 500)
RED2 = rectangle("red", 900, 700, 1400, 1000)
GREEN = rectangle("green", 100, 100, 400, 250)
BOX_ITEMS = [("red", RED, "the red rectangle"), ("blue", BLUE, "the blue circle"),
             ("green", GREEN, "the green rectangle")]  # fmt: skip


@pytest.fixture
def env(echo, tmp_path, monkeypatch):
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("VISION_HISTORY_PATH", str(tmp_path / "history.sqlite3"))
    return tmp_path


def write_set(folder) -> str:
    """Two photos; box items (three drawn shapes and one that is not there), pointing items,
    detection items (one with RefCOCO's bbox as [x, y, w, h])."""
    (folder / "a.png").write_bytes(shapes_image(SIZE, [RED, BLUE]))
    (folder / "b.png").write_bytes(shapes_image(SIZE, [RED, RED2, GREEN]))
    image_of = {"red": "a.png", "blue": "a.png", "green": "b.png"}
    lines = [
        {"image": image_of[name], "id": name, "expression": what, "box": drawn.box.as_list()}
        for name, drawn, what in BOX_ITEMS
    ]
    lines += [
        {"image": "b.png", "id": "yellow", "expression": "the yellow circle",
         "box": [10, 10, 50, 50]},
        {"image": "a.png", "id": "blue-point", "expression": "the blue circle", "task": "point",
         "bbox": [1000, 200, 300, 300]},
        {"image": "b.png", "id": "reds", "expression": "every red rectangle", "boxes": [
            {"box": RED.box.as_list(), "label": "red rectangle"},
            {"box": RED2.box.as_list(), "label": "red rectangle"}]},
        {"image": "a.png", "id": "shapes", "boxes": [
            {"box": RED.box.as_list(), "label": "red rectangle"},
            {"box": BLUE.box.as_list(), "label": "blue circle"}]},
    ]  # fmt: skip
    path = folder / "set.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


def line_of(out: str, model: str) -> str:
    """The model's score line (not its answered line)."""
    return next(
        line for line in out.splitlines() if line.startswith(f"{model}: ") and " passed " in line
    )


def interval(passed: int, total: int) -> str:
    low, high = wilson(passed, total)
    return f"95% interval {low:.0%}–{high:.0%}"


def mean_iou(line: str) -> float:
    return float(re.search(r"mean IoU ([\d.]+)", line).group(1))


def test_box_items_score_acc_at_half_and_mean_iou_and_the_report_draws_them(env, capsys):
    source = write_set(env)
    report = env / "iou.html"
    code = main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA, "--temperature", "0",
                 "--metric", "iou", "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    for model in (QWEN, LLAMA):
        line = line_of(out, model)
        # Three expressions name a drawn shape; the yellow circle is not there: a miss at 0.
        assert f"3/4 passed (iou) = Acc@0.5 75%, {interval(3, 4)}" in line
        assert 0.74 <= mean_iou(line) <= 0.75
    assert "not distinguishable with 4 items" in out
    html = report.read_text()
    assert "<th>Acc@0.5</th>" in html
    assert "<th>mean IoU</th>" in html
    assert "RefCOCO" in html
    # Each sampled answer: its boxes drawn over the thumbnail, and listed in original pixels.
    assert html.count('preserveAspectRatio="none"') == 8
    assert "reference [200, 300, 600, 700] · answer box [200, 300, 600, 700]" in html
    assert "default-src 'none'" in html


def test_points_and_detection_are_scored_from_the_same_batch(env, capsys):
    source = write_set(env)
    assert main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA, "--metric", "point"]) == 0
    out = capsys.readouterr().out
    # The pointing item and the four box items scored by a point (or a box's centre).
    for model in (QWEN, LLAMA):
        assert f"4/5 passed (point) = point accuracy 80%, {interval(4, 5)}" in line_of(out, model)
    report = env / "detection.html"
    code = main(["eval", "--resume", "--metric", "detection", "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0
    for model in (QWEN, LLAMA):
        line = line_of(out, model)
        assert "2/2 passed (detection) = items exactly right 100%" in line
        low, high = wilson(4, 4)
        assert f"precision 4/4 = 100% ({low:.0%}–{high:.0%})" in line
        assert f"recall 4/4 = 100% ({low:.0%}–{high:.0%}) at IoU 0.5" in line
    html = report.read_text()
    assert "<th>precision at IoU 0.5</th>" in html
    assert "pycocotools" in html


def test_each_model_is_read_in_its_one_frame_and_a_wrong_override_costs_it(env, capsys):
    # Llama is told to answer in thousandths; the echo answers relative to the padded tile
    # canvas (1120×840 on 1120×1120), as a model may. Read as thousandths of the picture, y
    # grows by 4/3; nothing tries another frame to rescue it.
    low_shape = rectangle("red", 200, 600, 600, 900)
    (env / "c.png").write_bytes(shapes_image(SIZE, [low_shape]))
    line = {"image": "c.png", "expression": "the red rectangle", "box": low_shape.box.as_list()}
    (env / "one.jsonl").write_text(json.dumps(line) + "\n")
    code = main(["eval", "--images", str(env / "one.jsonl"), "-m", QWEN, "-m", LLAMA,
                 "--frame", f"{LLAMA}=rel1000", "--metric", "iou"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "1/1 passed" in line_of(out, QWEN)
    misread = Box(200, 600 * 4 / 3, 600, 1200)  # clipped at the bottom edge
    assert f"mean IoU {iou(misread, low_shape.box):.2f}" in line_of(out, LLAMA)
    assert "0/1 passed" in line_of(out, LLAMA)
    with HistoryStore(env / "history.sqlite3") as store:
        runs = {run.model: run for run in store.batch_runs(store.batch_ids()[0])}
    assert (runs[QWEN].frame, runs[LLAMA].frame) == ("rel1000", "rel1000")
    assert "Give coordinates from 0 to 1000" in runs[LLAMA].prompt


def test_the_json_export_gives_boxes_in_original_pixels_and_in_the_models_frame(env, capsys):
    source = write_set(env)
    assert main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA, "--metric", "iou"]) == 0
    capsys.readouterr()
    with HistoryStore(env / "history.sqlite3") as store:
        runs = store.batch_runs(store.batch_ids()[0])
        exported = json.loads(export_json(runs))["runs"]
        red = {run.model: run for run in runs if run.item_name == "red"}
        picture = Image.open(io.BytesIO(drawn_run(store, red[QWEN])))
        answer_only = Image.open(io.BytesIO(drawn_run(store, red[QWEN], references=False)))
    records = {(r["model"], r["item_name"]): r["grounding"] for r in exported}
    qwen, llama = records[(QWEN, "red")], records[(LLAMA, "red")]
    assert qwen["asked"] == {"task": "box", "target": "the red rectangle",
                             "references": [{"box": RED.box.as_list(), "label": None}]}  # fmt: skip
    for record in (qwen, llama):
        (found,) = record["located"]
        assert_box_near(Box(*found["original"]), RED.box)
    # As written: Qwen2-VL's thousandths of the image; Llama's pixels of the 1120×840 it was sent.
    assert qwen["frame"]["name"] == "rel1000"
    thousandths = [round(v / SIZE[i % 2] * 1000) for i, v in enumerate(RED.box.as_list())]
    assert qwen["located"][0]["as_written"] == thousandths
    assert (llama["frame"]["name"], llama["sent_size"]) == ("sent-pixels", [1120, 840])
    assert llama["located"][0]["as_written"] == [round(v * 1120 / 1600) for v in RED.box.as_list()]
    image = next(r for r in exported if r["model"] == QWEN and r["item_name"] == "red")["images"]
    assert (image[0]["original_width"], image[0]["original_height"]) == SIZE
    assert records[(QWEN, "yellow")]["located"] == []
    # The picture: the original, the answer's box in the first colour on the shape's edge, the
    # reference drawn over it in the second.
    assert picture.size == SIZE
    assert answer_only.convert("RGB").getpixel((400, 302)) == PALETTE[0]
    assert picture.convert("RGB").getpixel((400, 302)) == PALETTE[1]


def test_a_sweep_reports_grounding_against_tokens_and_rebuilds_each_request_as_sent(env, capsys):
    source = write_set(env)
    report = env / "sweep.html"
    code = main(["sweep", "--images", source, "-m", QWEN, "-m", LLAMA, "--sides", "560,1120",
                 "--metric", "iou", "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if "passed (iou)" in line]
    assert len(lines) == 4  # two settings × two models
    for line in lines:
        assert "3/4 passed (iou)" in line
        assert "Acc@0.5 75%" in line
        assert 0.74 <= mean_iou(line) <= 0.75
    tokens = {
        line.split(":")[0]: int(re.search(r"([\d,]+) prompt tokens", line)[1].replace(",", ""))
        for line in lines
    }
    assert tokens[f"560 px · {LLAMA}"] < tokens[f"1120 px · {LLAMA}"]
    html = report.read_text()
    assert "Acc@0.5 against prompt tokens" in html
    assert "<th>mean IoU</th>" in html
    with HistoryStore(env / "history.sqlite3") as store:
        small = next(
            run
            for batch in store.batch_ids()
            for run in store.batch_runs(batch)
            if run.model == LLAMA and run.params.get("max_side") == 560
        )
        rebuilt = rebuild_request(small, store)
        again_for_qwen = rebuild_request(small, store, model=QWEN)
    # Copy as code: the prompt states the size sent, and the image goes at that size again.
    (sent,) = small.images
    assert f"The image is {sent.width}×{sent.height} pixels" in small.prompt
    assert rebuilt.prompt == small.prompt
    data = rebuilt.images[0].url.split(",", 1)[1]
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == (sent.width, sent.height)
    # Asked of another family, a locate question is in that family's words.
    assert again_for_qwen.prompt == "Find <|object_ref_start|>" + small.locate.target + (
        "<|object_ref_end|>"
    )


def test_frame_overrides_are_checked_before_anything_is_asked(env, capsys):
    source = write_set(env)
    assert main(["eval", "--images", source, "-m", QWEN, "--frame", "thousandths"]) == 1
    assert "no coordinate frame called 'thousandths'" in capsys.readouterr().err
    assert main(["eval", "--images", source, "-m", QWEN, "--frame", f"{LLAMA}=rel1"]) == 1
    assert f"--frame names {LLAMA}, which is not asked in this batch" in capsys.readouterr().err
