"""Reading the option a multiple-choice answer picks, as VLMEvalKit's can_infer reads it
(vlmeval/utils/matching_util.py), and "unread" when it cannot (docs/metrics.md)."""

from __future__ import annotations

import pytest

from vision.scoring.choice import answer_letter, choice_prompt, extract_choice, rotations
from vision.scoring.metrics import score_answer

PETS = ["cat", "dog", "bird", "fish"]
NINE = ["cat", "dog", "bird", "fish", "owl", "cow", "pig", "hen", "ant"]
MARKED = ["1,000", "-5", "50%", "$5", "(a)"]


@pytest.mark.parametrize(
    ("answer", "letter"),
    [
        ("B", "B"),
        ("(C) because it flies", "C"),
        ("Answer: A.", "A"),
        ("**B**", "B"),
        ("The correct answer is D", "D"),
    ],
)
def test_an_option_letter_as_a_word_is_read_as_vlmevalkit_reads_it(answer, letter):
    read = extract_choice(answer, PETS)
    assert read.letter == letter
    assert read.how == "the one option letter in the answer"


def test_an_answer_starting_with_the_article_a_reads_the_option_it_names_as_vlmevalkit_does():
    # "A" is the first of seven words, not among the last four, so it is not the letter A;
    # the answer names one option's text, dog.
    read = extract_choice("A dog is sitting on the mat.", PETS)
    assert read.letter == "B"
    assert read.how == "the one option whose text the answer contains"


def test_an_article_a_and_no_option_text_is_unread_as_in_vlmevalkit():
    read = extract_choice("A photo of something else", PETS)
    assert read.letter is None
    assert read.unread
    assert read.how == "unread: no single option letter and no option's text"


def test_a_short_answer_starting_with_a_is_option_a_as_in_vlmevalkit():
    # Two words: the A is among the last four, so VLMEvalKit reads the letter, and so do we.
    assert extract_choice("A dog.", PETS).letter == "A"


@pytest.mark.parametrize(("answer", "letter"), [("-5", "B"), ("50%", "C"), ("$5", "D"),
                                                ("(a)", "E"), ("It is 50%.", "C")])  # fmt: skip
def test_options_starting_or_ending_with_a_mark_match_by_text_as_in_vlmevalkit(answer, letter):
    assert extract_choice(answer, MARKED).letter == letter


def test_an_answer_naming_two_options_is_unread_not_the_first_as_in_vlmevalkit():
    read = extract_choice("1,000 or -5", MARKED)
    assert read.unread
    assert read.how == "unread: the text of 2 options and no single option letter"


def test_c_plus_plus_is_not_the_letter_c_since_vlmevalkit_splits_words_only_at_its_marks():
    assert extract_choice("C++", PETS).unread
    assert extract_choice("C++", ["C++", "Java", "Go", "Rust"]).letter == "A"  # by its text


def test_the_pronoun_i_opening_a_sentence_is_not_option_i_of_nine_as_in_vlmevalkit():
    # Six words: the I is not among the last four; the answer names dog.
    assert extract_choice("I think it is the dog.", NINE).letter == "B"


def test_a_three_word_answer_opening_with_i_is_option_i_as_in_vlmevalkit():
    # VLMEvalKit reads any option letter among the last four words, the pronoun included.
    assert extract_choice("I believe so", NINE).letter == "I"


@pytest.mark.parametrize(
    ("answer", "letter"),
    [
        ("the answer is b", "B"),
        ("D is wrong; the answer is C", "C"),
        ("The correct answer is **b**.", "B"),
    ],
)
def test_the_answer_is_and_a_letter_is_read_by_vlmevalkits_pattern(answer, letter):
    read = extract_choice(answer, PETS)
    assert read.letter == letter
    assert read.how == '"the answer is" and a letter'


def test_vlmevalkits_answer_is_pattern_takes_a_to_d_only_and_the_first_letter_of_a_word():
    # Kept as the reference has it: the a of "a cat" is read as A, though cat is option B;
    # "e" is past D, so it stays unread.
    assert extract_choice("The answer is a cat", ["bird", "cat", "dog", "fish"]).letter == "A"
    five = [*PETS, "owl"]
    assert extract_choice("the answer is e", five).unread
    assert extract_choice("the answer is E", five).letter == "E"  # a capital E is a word


def test_two_letters_and_no_stated_answer_are_unread_as_in_vlmevalkit():
    read = extract_choice("A or B", PETS)
    assert read.unread


def test_an_answer_longer_than_twice_the_options_is_not_searched_for_their_text():
    long = "There is an animal, it might be a dog, or perhaps something else entirely."
    assert extract_choice(long, PETS).unread
    assert extract_choice("It might be a dog.", PETS).letter == "B"


@pytest.mark.parametrize("answer", ["Cannot determine the answer", "Z", "None of these: Z."])
def test_a_refusal_or_z_is_read_as_no_option_and_not_unread_as_vlmevalkits_z(answer):
    read = extract_choice(answer, PETS)
    assert read.letter is None
    assert read.declined
    assert not read.unread


def test_an_unread_answer_scores_zero_and_is_marked_unread_while_a_refusal_is_just_wrong():
    unread = score_answer("choice", "A photo of something else", ["B"], PETS)
    assert (unread.value, unread.passed, unread.unread) == (0.0, False, True)
    assert unread.how.startswith("-: unread:")
    refused = score_answer("choice", "Cannot determine the answer", ["B"], PETS)
    assert (refused.passed, refused.unread) == (False, False)
    right = score_answer("choice", "A dog is sitting on the mat.", ["dog"], PETS)
    assert (right.passed, right.unread) == (True, False)


def test_the_expected_letter_rotations_and_the_choice_prompt():
    assert answer_letter("bird", PETS) == "C"
    assert answer_letter("(B).", PETS) == "B"
    assert rotations(["x", "y", "z"]) == [("x", "y", "z"), ("y", "z", "x"), ("z", "x", "y")]
    prompt = choice_prompt("What?", ["x", "y"], hint="Look")
    assert prompt.splitlines()[:4] == ["Hint: Look", "What?", "Options:", "A. x"]
