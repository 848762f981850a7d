"""VQA accuracy as the official VQA evaluation computes it (GT-Vision-Lab/VQA,
PythonEvaluationTools/vqaEvaluation/vqaEval.py): its normalisation and its 10-annotator score."""

from __future__ import annotations

import pytest

from vision.scoring.vqa import vqa_accuracy, vqa_normalise

# Two distinct references: the official script normalises only when the references differ.
OTHER = "something else"


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("45%", "45%"),  # % is not among its marks
        ("it's cat", "it's cat"),  # nor is the apostrophe
        ("$5 & more: #1 ~ ^ | *", "$5 & more: #1 ~ ^ | *"),
        ("left-hand", "left hand"),  # a mark inside a word becomes a space...
        ("red / white", "red white"),  # ...and one beside a space is removed
        ("1,000 a-b", "1000 ab"),  # a digit comma anywhere: every mark removed, none spaced
        ("x-y - z", "xy z"),  # a mark beside a space anywhere: that mark removed everywhere
    ],
)
def test_punctuation_is_handled_as_the_official_process_punctuation(text, normalised):
    assert vqa_normalise(text) == normalised


def test_full_stops_follow_the_official_pattern_including_its_lookahead():
    assert vqa_normalise("3.5") == "3.5"  # a decimal point stays
    assert vqa_normalise("Dog.") == "dog"
    # "(?!<=\d)" is a lookahead in the official pattern, so a stop after a digit goes too
    # (VLMEvalKit's copy fixed it to a lookbehind and keeps "5.x").
    assert vqa_normalise("5.x") == "5x"
    # The official passes re.UNICODE (32) as re.sub's count: the 33rd stop stays.
    assert vqa_normalise("." * 33) == "."


def test_number_words_articles_and_the_official_contraction_table():
    assert vqa_normalise("Two dogs.") == "2 dogs"
    assert vqa_normalise("The 1,000 yards!") == "1000 yards"
    assert vqa_normalise("a Ten") == "10"
    assert vqa_normalise("dont yall oclock") == "don't y'all o'clock"
    assert vqa_normalise("somebody'd") == "somebodyd"  # the table's own entry, kept
    assert vqa_normalise("Ive") == "ive"  # keys with a capital I never match after lower()


@pytest.mark.parametrize(
    ("answer", "reference"), [("45", "45%"), ("its cat", "it's cat"), ("1,000 a b", "1,000 a-b")]
)
def test_answers_the_official_script_tells_apart_do_not_match(answer, reference):
    assert vqa_accuracy(answer, [reference] * 3 + [OTHER]) == 0.0
    # Each of the three sees two matches among the others (2/3), the fourth three (1).
    assert vqa_accuracy(reference, [reference] * 3 + [OTHER]) == pytest.approx(0.75)


def test_ten_references_are_scored_over_the_ten_leave_one_out_subsets():
    # Two of ten people said "2": each of those two sees one match among the other nine
    # (1/3), each of the other eight sees two (2/3): (2 × 1/3 + 8 × 2/3) / 10 = 0.6.
    assert vqa_accuracy("two", ["2", "2"] + ["3"] * 8) == pytest.approx(0.6)
    # Three or more matches among the other nine give full credit.
    assert vqa_accuracy("3", ["2", "2"] + ["3"] * 8) == pytest.approx(1.0)
    # Three of ten: the seven others see 3 matches (1), the three see 2 (2/3): 0.9.
    assert vqa_accuracy("2", ["2"] * 3 + ["3"] * 7) == pytest.approx(0.9)
    assert vqa_accuracy("cat", ["dog"] * 10) == 0.0


def test_identical_references_are_compared_without_normalisation_as_in_the_official_script():
    assert vqa_accuracy("Yes", ["yes"] * 10) == 0.0
    assert vqa_accuracy("yes", ["yes"] * 10) == 1.0
    # One reference spelt differently and the whole question is normalised.
    assert vqa_accuracy("Yes", ["yes"] * 9 + ["Yes."]) == 1.0


def test_one_reference_is_a_match_after_normalisation_where_the_official_gives_zero():
    # The official formula counts matches among the *other* references: with one, none.
    assert vqa_accuracy("A dog.", ["dog"]) == 1.0
    assert vqa_accuracy("45", ["45%"]) == 0.0
