"""ANLS, relaxed accuracy and the checks against worked examples, each pinning what its reference
computes (docs/metrics.md works each one by hand)."""

from __future__ import annotations

import pytest

from vision.scoring.metrics import anls, relaxed_accuracy, relaxed_match, score_answer


@pytest.mark.parametrize(
    ("answer", "references", "expected"),
    [
        ("Sarah Smith", ["sarah smith"], 1.0),  # case does not count
        ("Denver Broncos", ["Denver Broncos"], 1.0),  # an exact match is 1 (evaluate's gives 0)
        ("Sarah Smyth", ["Sarah Smith"], 1 - 1 / 11),  # one edit in eleven characters
        ("hello", ["world"], 0.0),  # 4 edits of 5: similarity 0.2, under τ, so 0
        ("Smyth", ["Sarah Smith", "Smith"], 0.8),  # the best reference counts
    ],
)
def test_anls_as_the_official_docvqa_script(answer, references, expected):
    assert anls(answer, references) == pytest.approx(expected)


@pytest.mark.parametrize(("answer", "reference"), [("12", "13"), ("abcdef", "abcxyz")])
def test_anls_gives_half_credit_at_exactly_half_distance_as_the_official_docvqa_script(
    answer, reference
):
    # The official script zeroes a question only when 1 − distance is *below* 0.5.
    assert anls(answer, [reference]) == 0.5


def test_anls_divides_by_the_raw_lengths_as_the_official_docvqa_script():
    # The distance is between collapsed strings; the length is the longer raw one.
    assert anls("  SARAH   smith ", ["Sarah Smith"]) == 1.0
    assert anls("Sarah   Smyth", ["Sarah Smith"]) == pytest.approx(1 - 1 / 13)
    assert anls("12  ", ["13"]) == pytest.approx(0.75)  # 1 edit over 4 raw characters


@pytest.mark.parametrize(
    ("answer", "target", "right"),
    [
        ("10.4", "10", True),  # 4% off
        ("10.6", "10", False),  # 6% off
        ("9.5", "10", True),  # exactly 5% is within
        ("12%", "0.12", True),  # a trailing % divides by 100
        ("-41", "-40", True),
        ("1e3", "1000", True),  # Python's float() reads it
        ("1,000", "1000", False),  # and not this: compared as text
        ("Yes", "yes", True),  # not numbers: case-insensitive equality
        (" 7 ", "7", True),  # the answer is stripped
        ("0.0", "0", False),  # a zero target is compared as text
        ("The value is 10", "10", False),  # free text is not parsed
    ],
)
def test_relaxed_accuracy_as_vlmevalkit_computes_chartqa(answer, target, right):
    assert relaxed_match(answer, target) is right


def test_relaxed_accuracy_takes_the_best_of_several_targets():
    assert relaxed_accuracy("20", ["10", "19.5"]) == 1.0


def test_checks_accept_any_of_several_references_and_an_empty_one_is_a_sentence():
    assert score_answer("contains", "It says STOP here", ["halt", "stop"]).passed
    assert not score_answer("exact", "stop sign", ["stop"]).passed
    with pytest.raises(ValueError, match="no expected answer"):
        score_answer("anls", "x", [])
