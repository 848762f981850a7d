"""Does the judge agree with people: the agreement rate with its Wilson interval and Cohen's
kappa with its 95% interval, pinned to statsmodels' `cohens_kappa` (statsmodels
`statsmodels/stats/inter_rater.py`, the large-sample variance of Fleiss, Cohen and Everitt 1969)
on the same tables."""

from __future__ import annotations

import pytest

from vision.scoring.agreement import cohens_kappa, judge_agreement
from vision.values.judgement import PairVerdict, Preference
from vision.values.run import Vote, VoteChoice

CATEGORIES = ("a", "b", "tie")


def table_pairs(table: list[list[int]]) -> list[tuple[str, str]]:
    """(judge, person) pairs from a table: rows the judge's category, columns the person's."""
    return [
        (CATEGORIES[i], CATEGORIES[j])
        for i, row in enumerate(table)
        for j, count in enumerate(row)
        for _ in range(count)
    ]


def test_kappa_and_its_interval_match_statsmodels_on_a_three_way_table():
    # statsmodels: cohens_kappa([[20, 3, 2], [2, 15, 3], [1, 2, 2]]) gives kappa 0.563758,
    # std_kappa 0.097196, kappa_low 0.373257, kappa_upp 0.754260.
    kappa = cohens_kappa(table_pairs([[20, 3, 2], [2, 15, 3], [1, 2, 2]]))
    assert kappa.value == pytest.approx(0.5637583893, abs=1e-9)
    assert kappa.low == pytest.approx(0.3732568441, abs=1e-9)
    assert kappa.high == pytest.approx(0.7542599345, abs=1e-9)


def test_kappa_on_twelve_votes_is_wide():
    # statsmodels: cohens_kappa([[5, 1], [2, 4]]): 0.5, interval 0.016862 to 0.983138.
    kappa = cohens_kappa(table_pairs([[5, 1], [2, 4]]))
    assert kappa.value == pytest.approx(0.5)
    assert kappa.low == pytest.approx(0.0168623623, abs=1e-9)
    assert kappa.high == pytest.approx(0.9831376377, abs=1e-9)


def test_kappa_is_undefined_when_both_gave_one_category_throughout():
    kappa = cohens_kappa([("a", "a")] * 5)
    assert (kappa.value, kappa.low, kappa.high) == (None, None, None)
    assert cohens_kappa([]).value is None


def _verdict(run_a: int, run_b: int, a_first: Preference, b_first: Preference) -> PairVerdict:
    return PairVerdict(
        batch_id="b",
        pair_id=f"b:{run_a}",
        run_a_id=run_a,
        run_b_id=run_b,
        model_a="m1",
        model_b="m2",
        judge_model="judge",
        rubric="Correct.",
        a_first=a_first,
        b_first=b_first,
        reason_a_first="",
        reason_b_first="",
    )


def _vote(run_a: int | None, run_b: int | None, choice: VoteChoice) -> Vote:
    return Vote(model_a="m1", model_b="m2", choice=choice, run_a_id=run_a, run_b_id=run_b)


def test_votes_are_set_beside_the_judges_consistent_verdicts_on_the_same_two_answers():
    verdicts = [
        _verdict(1, 2, "a", "a"),  # run 1 better
        _verdict(3, 4, "tie", "tie"),
        _verdict(5, 6, "a", "b"),  # changed with the order: does not count
        _verdict(7, 8, "b", "b"),  # run 8 better
    ]
    votes = [
        _vote(1, 2, "a"),  # agrees
        _vote(2, 1, "b"),  # the same pair shown the other way round: run 1 again, agrees
        _vote(3, 4, "both_bad"),  # both bad is a tie: agrees
        _vote(5, 6, "a"),  # left out: the judge was inconsistent
        _vote(7, 8, "a"),  # disagrees
        _vote(9, 10, "tie"),  # left out: not compared
        _vote(None, None, "a"),  # an old vote with no runs: not compared
    ]
    found = judge_agreement(verdicts, votes)
    assert (found.compared, found.agreed) == (4, 3)
    assert (found.inconsistent, found.unjudged) == (1, 2)
    assert found.rate == pytest.approx(0.75)
    low, high = found.interval  # Wilson, 3 of 4
    assert (round(low, 4), round(high, 4)) == (0.3006, 0.9544)
    # In the votes' terms the judge said a, b, tie, b and the person a, b, tie, a: observed
    # 3/4, chance 1/4·2/4 + 2/4·1/4 + 1/4·1/4 = 5/16, kappa (12/16 - 5/16) / (11/16) = 7/11.
    assert found.kappa.value == pytest.approx(7 / 11)
