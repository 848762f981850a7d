"""A batch's runs scored: the run that counts, circular questions, tables and comparisons."""

from __future__ import annotations

from tests.support.models import LLAMA, QWEN
from vision.scoring.circular import circular_rows
from vision.scoring.summary import comparisons, final_runs, score_runs, score_table
from vision.values.judgement import Judgement
from vision.values.run import Run


def run(index, model, answer, *, expected="cat", error=None, tag=None, name=None, run_id=0):
    return Run(
        id=run_id or index * 10 + (model == LLAMA),
        prompt="p",
        model=model,
        answer=answer,
        expected=expected,
        error=error,
        item_index=index,
        item_name=name or f"item-{index}",
        tag=tag,
    )


def test_an_answer_counts_over_an_earlier_or_later_failure():
    failed = run(0, QWEN, "", error="boom")
    answered = run(0, QWEN, "a cat")
    assert final_runs([failed, answered]) == [answered]
    assert final_runs([answered, failed]) == [answered]
    assert final_runs([failed]) == [failed]


def test_a_failure_scores_zero_and_items_without_a_reference_are_not_scored():
    outcomes = score_runs(
        [run(0, QWEN, "", error="timed out"), run(1, QWEN, "x", expected=None)], "contains"
    )
    (only,) = outcomes
    assert not only.score.passed
    assert only.score.how == "timed out"


def test_a_circular_question_passes_only_when_every_rotation_does():
    runs = [
        run(i, QWEN, "cat" if i != 2 else "dog", name=f"q1 [rotation {i + 1}/3]") for i in range(3)
    ] + [run(3 + i, LLAMA, "cat", name=f"q1 [rotation {i + 1}/3]") for i in range(3)]
    outcomes = {outcome.model: outcome for outcome in score_runs(runs, "contains")}
    assert outcomes[QWEN].name == "q1"
    assert not outcomes[QWEN].score.passed
    assert outcomes[QWEN].score.how == "circular: 2 of 3 rotations"
    assert outcomes[LLAMA].score.passed


def test_tables_give_wilson_intervals_per_model_and_tag():
    runs = [
        run(i, QWEN, "cat" if i < 3 else "no", tag="chart" if i % 2 else "doc") for i in range(4)
    ]
    overall = score_table(score_runs(runs, "contains"))
    (row,) = overall
    assert (row.passed, row.items) == (3, 4)
    assert 0.3 < row.low < row.rate < row.high < 1
    tags = {row.tag: row for row in score_table(score_runs(runs, "contains"), by_tag=True)}
    assert (tags["chart"].passed, tags["doc"].passed) == (1, 2)


def test_the_judge_scores_with_its_verdicts_and_keeps_its_reason():
    runs = [run(0, QWEN, "whatever", expected=None, run_id=7)]
    verdict = Judgement(
        run_id=7, judge_model="j", rubric="r", score=0.9, passed=True, reason="Good."
    )
    (outcome,) = score_runs(runs, "judge", judgements=[verdict])
    assert outcome.score.value == 0.9
    assert outcome.score.how == "Good."


def test_models_are_compared_on_the_items_both_answered():
    runs = [run(i, QWEN, "cat") for i in range(12)] + [run(i, LLAMA, "dog") for i in range(12)]
    (found,) = comparisons(score_runs(runs, "contains"), [QWEN, LLAMA])
    assert (found.items, found.only_a, found.only_b) == (12, 12, 0)
    assert found.significant


def choice_run(index, model, answer, *, name=None, expected="B"):
    return Run(
        id=index * 10 + (model == LLAMA),
        prompt="p",
        model=model,
        answer=answer,
        expected=expected,
        choices=("cat", "dog", "bird", "fish"),
        item_index=index,
        item_name=name or f"item-{index}",
    )


def test_unread_answers_are_counted_per_model_and_fail():
    runs = [
        choice_run(0, QWEN, "B"),
        choice_run(1, QWEN, "A photo of something else"),  # unread
        choice_run(2, QWEN, "C"),  # read, wrong
        choice_run(0, LLAMA, "Cannot determine the answer"),  # a refusal: read as no option
        choice_run(1, LLAMA, "It is a dog."),
    ]
    rows = {row.model: row for row in score_table(score_runs(runs, "choice"))}
    assert (rows[QWEN].passed, rows[QWEN].unread, rows[QWEN].items) == (1, 1, 3)
    assert (rows[LLAMA].passed, rows[LLAMA].unread) == (1, 0)


def test_a_circular_question_failed_only_by_unread_rotations_is_unread_as_vlmevalkit_has_it():
    def rotations(model, answers, first):
        return [
            choice_run(first + i, model, answer, name=f"q1 [rotation {i + 1}/3]")
            for i, answer in enumerate(answers)
        ]

    # Qwen: one right, two unread (VLMEvalKit would ask its judge about them); Llama: one
    # rotation read and wrong, so the question fails whatever the unread one says.
    runs = rotations(QWEN, ["B", "no idea", "hmm"], 0)
    runs += rotations(LLAMA, ["B", "C", "no idea"], 3)
    outcomes = {outcome.model: outcome.score for outcome in score_runs(runs, "choice")}
    assert (outcomes[QWEN].passed, outcomes[QWEN].unread) == (False, True)
    assert outcomes[QWEN].how == "circular: 1 of 3 rotations, 2 unread"
    assert (outcomes[LLAMA].passed, outcomes[LLAMA].unread) == (False, False)
    rows = {row.model: row for row in circular_rows(runs)}
    assert (rows[QWEN].questions, rows[QWEN].circular, rows[QWEN].unread) == (1, 0, 1)
    assert (rows[LLAMA].plain, rows[LLAMA].unread) == (1, 0)
