"""Grounding scores as the toolkits define them (docs/grounding.md), worked by hand."""

from __future__ import annotations

import pytest

from vision.grounding.scores import (
    Detection,
    box_scores,
    detection_scores,
    iou,
    match_detections,
    point_accuracy,
    point_in_box,
)
from vision.values.grounding import Box, Point


def test_iou_of_two_overlapping_squares():
    # 5×5 shared of 100 + 100 − 25.
    assert iou(Box(0, 0, 10, 10), Box(5, 5, 15, 15)) == pytest.approx(25 / 175)


def test_iou_is_one_for_the_same_box_and_zero_apart_touching_or_without_area():
    assert iou(Box(1, 2, 3, 4), Box(1, 2, 3, 4)) == 1
    assert iou(Box(0, 0, 10, 10), Box(20, 20, 30, 30)) == 0
    assert iou(Box(0, 0, 10, 10), Box(10, 0, 20, 10)) == 0
    assert iou(Box(5, 5, 5, 5), Box(5, 5, 5, 5)) == 0


def test_iou_reads_corners_written_backwards():
    assert iou(Box(10, 10, 0, 0), Box(0, 0, 10, 10)) == 1


def test_acc_at_half_counts_exactly_half_and_mean_iou_counts_misses_as_zero():
    truth = Box(0, 0, 10, 10)
    scores = box_scores(
        [
            (Box(0, 0, 10, 5), truth),  # IoU 0.5: a hit (>=)
            (Box(0, 0, 10, 4), truth),  # 0.4
            (None, truth),  # nothing readable: IoU 0
            (Box(0, 0, 10, 10), truth),  # 1
        ]
    )
    assert (scores.items, scores.hits) == (4, 2)
    assert scores.accuracy == 0.5
    assert scores.mean_iou == pytest.approx((0.5 + 0.4 + 0 + 1) / 4)


def test_no_items_score_zero_not_an_error():
    assert box_scores([]).accuracy == 0
    assert point_accuracy([]) == 0


def test_a_point_on_the_edge_is_in_the_box():
    truth = Box(10, 10, 20, 20)
    assert point_in_box(Point(10, 20), truth)
    assert not point_in_box(Point(9.99, 15), truth)
    assert not point_in_box(None, truth)
    assert point_accuracy([(Point(15, 15), truth), (Point(25, 15), truth)]) == 0.5


def boxes(*corners: tuple[float, float, float, float], scores=None, labels=None):
    return [
        Detection(
            box=Box(*corner),
            score=None if scores is None else scores[index],
            label=None if labels is None else labels[index],
        )
        for index, corner in enumerate(corners)
    ]


TRUTHS = boxes((0, 0, 10, 10), (2, 0, 12, 10))


def test_each_prediction_takes_the_best_unmatched_reference_greedily():
    # A overlaps reference 0 by 0.67 and reference 1 by 1.0; B reaches 0.5 only with reference 1.
    # Greedy in order: A takes reference 1, B finds it taken: one match (optimal would be two).
    predictions = boxes((2, 0, 12, 10), (5, 0, 15, 10))
    matching = match_detections(predictions, TRUTHS)
    assert matching.pairs == ((0, 1),)
    assert matching.true_positives == 1


def test_a_higher_score_goes_first_as_cocoeval_sorts():
    predictions = boxes((2, 0, 12, 10), (5, 0, 15, 10), scores=[0.2, 0.9])
    # B (0.9) first takes reference 1 (0.54 against 0.33); A then takes reference 0 (0.67).
    assert match_detections(predictions, TRUTHS).pairs == ((1, 1), (0, 0))


def test_equal_scores_keep_the_given_order():
    predictions = boxes((2, 0, 12, 10), (5, 0, 15, 10), scores=[0.5, 0.5])
    assert match_detections(predictions, TRUTHS).pairs == ((0, 1),)


def test_a_tie_in_iou_goes_to_the_later_reference_as_evaluateimg_loops():
    references = boxes((0, 0, 10, 10), (0, 0, 10, 10))
    assert match_detections(boxes((0, 0, 10, 10)), references).pairs == ((0, 1),)


def test_half_iou_matches_and_less_does_not():
    assert match_detections(boxes((0, 0, 10, 5)), boxes((0, 0, 10, 10))).true_positives == 1
    assert match_detections(boxes((0, 0, 10, 4)), boxes((0, 0, 10, 10))).true_positives == 0


def test_by_label_only_a_reference_of_the_same_label_matches():
    predictions = boxes((0, 0, 10, 10), labels=["dog"])
    references = boxes((0, 0, 10, 10), labels=["cat"])
    assert match_detections(predictions, references, by_label=True).true_positives == 0
    assert match_detections(predictions, references).true_positives == 1


def test_precision_and_recall_are_summed_over_images_before_dividing():
    first = match_detections(boxes((0, 0, 10, 10), (50, 50, 60, 60)), boxes((0, 0, 10, 10)))
    second = match_detections([], boxes((0, 0, 10, 10), (20, 20, 30, 30)))
    scores = detection_scores([first, second])
    assert (scores.true_positives, scores.predictions, scores.references) == (1, 2, 3)
    assert scores.precision == 0.5
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert detection_scores([]).f1 == 0
