"""Grounding metrics wired into a batch's scores: each kept run read in its one frame on its
original image, scored against its item's reference boxes, then pass rates with Wilson
intervals, detection's precision and recall, and the paired comparison."""

from __future__ import annotations

import pytest

from tests.support.models import LLAMA, QWEN, QWEN25
from vision.errors import RequestError
from vision.grounding.scores import iou
from vision.scoring.intervals import wilson
from vision.scoring.metrics import score_answer
from vision.scoring.summary import comparisons, score_runs, score_table
from vision.values.grounding import Box, LocateTask, Reference
from vision.values.run import Run, RunImage

CUP = Box(200, 300, 600, 700)
# A 1600×1200 photo sent to Qwen2-VL as 1148×840; it answers in thousandths of the image.
QWEN_IMAGE = RunImage(sha256="s", width=1148, height=840, original_width=1600, original_height=1200)


def qwen2_box(x1, y1, x2, y2, label="cup"):
    return (
        f"<|object_ref_start|>{label}<|object_ref_end|>"
        f"<|box_start|>({x1},{y1}),({x2},{y2})<|box_end|>"
    )


def run(answer, *, task="box", references=(CUP,), model=QWEN, index=0, error=None, **extra):
    locate = LocateTask(
        task=task, target="the cup", references=tuple(Reference(box=box) for box in references)
    )
    values = {
        "prompt": "the cup",
        "model": model,
        "answer": answer,
        "error": error,
        "item_index": index,
        "item_name": f"item-{index}",
        "images": (QWEN_IMAGE,),
        "locate": locate,
        "kind": "batch_item",
    }
    return Run(**(values | extra))


def only_score(found, metric):
    (outcome,) = score_runs(found, metric)
    return outcome.score


def test_iou_reads_the_first_box_in_the_family_frame_on_the_original():
    score = only_score([run(qwen2_box(125, 250, 375, 583) + qwen2_box(0, 0, 10, 10))], "iou")
    # Thousandths of 1600×1200, whatever size was sent.
    assert score.value == pytest.approx(iou(Box(200, 300, 600, 699.6), CUP))
    assert score.passed
    assert score.how.startswith("IoU 0.999: box [200, 300, 600, 700], first of 2")


def test_iou_below_half_is_a_miss_and_counts_in_the_mean():
    near = run(qwen2_box(125, 250, 375, 583), index=0)
    off = run(qwen2_box(250, 250, 500, 583), index=1)  # shifted right by 200 px of 400
    (row,) = score_table(score_runs([near, off], "iou"))
    shifted = iou(Box(400, 300, 800, 699.6), CUP)
    assert shifted < 0.5
    assert (row.passed, row.items) == (1, 2)
    assert row.mean_score == pytest.approx((iou(Box(200, 300, 600, 699.6), CUP) + shifted) / 2)
    # docs/metrics.md's worked example.
    assert (round(shifted, 3), round(row.mean_score, 3)) == (0.333, 0.666)
    assert (row.low, row.high) == wilson(1, 2)


def test_an_answer_without_a_box_or_a_failed_run_is_a_miss_with_iou_zero():
    unread = only_score([run("There is no cup.")], "iou")
    assert (unread.value, unread.passed, unread.how) == (0.0, False, "no box could be read")
    failed = only_score([run("", error="The API took too long; try again.")], "iou")
    assert (failed.value, failed.passed) == (0.0, False)
    assert failed.how == "The API took too long; try again."


def test_one_frame_per_model_the_one_the_run_was_asked_in():
    answer = qwen2_box(125, 250, 375, 583)
    assert only_score([run(answer)], "iou").passed
    # The same numbers read as fractions of the image land far outside it: a miss, never the
    # best of several frames.
    misread = only_score([run(answer, frame="rel1")], "iou")
    assert not misread.passed
    assert misread.value == 0.0


def test_qwen25_pixels_of_what_its_processor_read():
    # 700×500 sent as it is, read by Qwen2.5-VL as 700×504: y comes back ×500/504.
    image = RunImage(sha256="s", width=700, height=500, original_width=1400, original_height=1000)
    truth = Box(200, 760, 600, 992)
    answer = '```json\n[{"bbox_2d": [100, 383, 300, 500], "label": "cup"}]\n```'
    score = only_score([run(answer, model=QWEN25, images=(image,), references=(truth,))], "iou")
    # Read as 700×504 by its processor: y comes back ×500/504, then ×2 to the original.
    assert score.value == pytest.approx(
        iou(Box(200, 383 * 1000 / 504, 600, 500 * 1000 / 504), truth)
    )
    assert score.value > 0.99


def test_point_in_box_reads_a_point_or_the_first_boxs_centre():
    image = RunImage(sha256="s", width=700, height=504, original_width=1400, original_height=1008)
    inside = '<points x1="200" y1="250" alt="cup">cup</points>'
    outside = '<points x1="20" y1="25" alt="cup">cup</points>'
    truth = Box(300, 400, 500, 600)
    found = [
        run(inside, task="point", model=QWEN25, images=(image,), references=(truth,), index=0),
        run(outside, task="point", model=QWEN25, images=(image,), references=(truth,), index=1),
        run(qwen2_box(125, 250, 375, 583), task="box", index=2),  # centre (400, 500) in CUP
    ]
    scores = [outcome.score for outcome in score_runs(found, "point")]
    assert [score.passed for score in scores] == [True, False, True]
    assert scores[0].how == "point [400, 500] in the reference box"
    assert scores[1].how == "point [40, 50] outside the reference box"


def test_each_metric_scores_only_the_items_it_is_for():
    box_item = run(qwen2_box(125, 250, 375, 583), task="box", index=0)
    point_item = run(qwen2_box(125, 250, 375, 583), task="point", index=1)
    detection_item = run(qwen2_box(125, 250, 375, 583), task="detection", index=2)
    text_item = Run(prompt="What?", model=QWEN, answer="a cup", expected="cup", item_index=3)
    every = [box_item, point_item, detection_item, text_item]
    scored = {
        metric: [outcome.run.item_index for outcome in score_runs(every, metric)]
        for metric in ("iou", "point", "detection", "contains")
    }
    assert scored == {"iou": [0], "point": [0, 1], "detection": [2], "contains": [3]}


def test_detection_matches_greedily_and_sums_boxes_before_dividing():
    second = Box(900, 700, 1400, 1000)
    both = (CUP, second)
    # Item 0: both found and one box more; item 1: one of two found.
    extra = qwen2_box(125, 250, 375, 583) + qwen2_box(563, 583, 875, 833) + qwen2_box(0, 0, 50, 50)
    half = qwen2_box(125, 250, 375, 583)
    found = [
        run(extra, task="detection", references=both, index=0),
        run(half, task="detection", references=both, index=1),
        run(qwen2_box(125, 250, 375, 583), task="detection", references=(CUP,), index=2),
    ]
    scores = [outcome.score for outcome in score_runs(found, "detection")]
    assert [score.passed for score in scores] == [False, False, True]
    assert scores[0].how == "2 of 2 reference boxes found, 1 other boxes"
    (row,) = score_table(score_runs(found, "detection"))
    counts = row.detection
    assert (counts.true_positives, counts.predictions, counts.references) == (4, 5, 5)
    assert (counts.precision, counts.recall) == (0.8, 0.8)
    assert row.precision_interval == wilson(4, 5)
    assert row.recall_interval == wilson(4, 5)
    assert (row.passed, row.items) == (1, 3)


def test_a_failed_detection_run_finds_none_of_its_references():
    failed = run("", error="boom", task="detection", references=(CUP, CUP))
    (row,) = score_table(score_runs([failed], "detection"))
    assert (row.detection.true_positives, row.detection.references) == (0, 2)
    assert row.detection.recall == 0.0


def test_two_models_are_compared_on_the_items_both_were_scored_on():
    hits = [run(qwen2_box(125, 250, 375, 583), index=i) for i in range(8)]
    misses = [run("nothing", model=LLAMA, index=i) for i in range(8)]
    (comparison,) = comparisons(score_runs(hits + misses, "iou"), [QWEN, LLAMA])
    assert comparison.p_value == pytest.approx(2 / 2**8)
    assert "passes more items" in comparison.sentence


def test_a_grounding_metric_cannot_score_bare_text():
    with pytest.raises(RequestError, match="scores a grounding item's boxes"):
        score_answer("iou", "a box", ["[0, 0, 1, 1]"])
