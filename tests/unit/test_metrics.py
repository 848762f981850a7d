"""The benchmark metrics against worked examples (docs/metrics.md works each one by hand)."""

from __future__ import annotations

import pytest

from vision.scoring.choice import answer_letter, choice_prompt, extract_choice, rotations
from vision.scoring.metrics import (
    anls,
    relaxed_accuracy,
    relaxed_match,
    score_answer,
    vqa_accuracy,
)
from vision.scoring.vqa import vqa_normalise


@pytest.mark.parametrize(
    ("answer", "references", "expected"),
    [
        ("Sarah Smith", ["sarah smith"], 1.0),  # case and spacing do not count
        ("  SARAH   smith ", ["Sarah Smith"], 1.0),
        ("Sarah Smyth", ["Sarah Smith"], 1 - 1 / 11),  # one edit in eleven characters
        ("hello", ["world"], 0.0),  # 4 edits of 5: over the 0.5 threshold, so 0
        ("Smyth", ["Sarah Smith", "Smith"], 0.8),  # the best reference counts
        ("abcdef", ["abcxyz"], 0.0),  # exactly 0.5 normalised distance is already wrong
    ],
)
def test_anls(answer, references, expected):
    assert anls(answer, references) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("answer", "target", "right"),
    [
        ("10.4", "10", True),  # 4% off
        ("10.6", "10", False),  # 6% off
        ("9.5", "10", True),  # exactly 5% is within
        ("12%", "0.12", True),  # a trailing % divides by 100
        ("-41", "-40", True),
        ("Yes", "yes", True),  # not numbers: case-insensitive equality
        ("0.0", "0", False),  # a zero target is compared as text (pix2struct's rule)
        ("The value is 10", "10", False),  # free text is not parsed
    ],
)
def test_relaxed_accuracy(answer, target, right):
    assert relaxed_match(answer, target) is right


def test_relaxed_accuracy_takes_the_best_of_several_targets():
    assert relaxed_accuracy("20", ["10", "19.5"]) == 1.0


def test_vqa_normalisation_folds_numbers_articles_and_punctuation():
    assert vqa_normalise("Two dogs.") == "2 dogs"
    assert vqa_normalise("The 1,000 yards!") == "1000 yards"
    assert vqa_normalise("dont") == "don't"


def test_vqa_accuracy_over_ten_references():
    # Two of ten people said "2": each of those two sees one match among the other nine
    # (1/3), each of the other eight sees two (2/3): (2 × 1/3 + 8 × 2/3) / 10 = 0.6.
    assert vqa_accuracy("two", ["2", "2"] + ["3"] * 8) == pytest.approx(0.6)
    # Three or more matches among the others give full credit.
    assert vqa_accuracy("3", ["2", "2"] + ["3"] * 8) == pytest.approx(1.0)
    assert vqa_accuracy("cat", ["dog"] * 10) == 0.0
    assert vqa_accuracy("A dog", ["dog"]) == 1.0  # one reference: a plain match


@pytest.mark.parametrize(
    ("answer", "letter"),
    [
        ("B", "B"),
        ("(C) because it flies", "C"),
        ("Answer: A.", "A"),
        ("It is a dog.", "B"),  # no letter: the one option whose text it has
        ("A or B", None),  # two letters: not read
        ("Neither of them, honestly.", None),
    ],
)
def test_the_option_an_answer_picks(answer, letter):
    assert extract_choice(answer, ["cat", "dog", "bird"]).letter == letter


def test_the_choice_score_says_how_the_answer_was_read():
    right = score_answer("choice", "It is a dog.", ["B"], ["cat", "dog", "bird"])
    assert right.passed
    assert "option whose text" in right.how
    by_text = score_answer("choice", "(B)", ["dog"], ["cat", "dog", "bird"])
    assert by_text.passed  # a reference given as the option's text
    assert answer_letter("bird", ["cat", "dog", "bird"]) == "C"


def test_rotations_and_the_choice_prompt():
    assert rotations(["x", "y", "z"]) == [("x", "y", "z"), ("y", "z", "x"), ("z", "x", "y")]
    prompt = choice_prompt("What?", ["x", "y"], hint="Look")
    assert prompt.splitlines()[:4] == ["Hint: Look", "What?", "Options:", "A. x"]


def test_checks_accept_any_of_several_references_and_an_empty_one_is_a_sentence():
    assert score_answer("contains", "It says STOP here", ["halt", "stop"]).passed
    assert not score_answer("exact", "stop sign", ["stop"]).passed
    with pytest.raises(ValueError, match="no expected answer"):
        score_answer("anls", "x", [])
