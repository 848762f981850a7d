"""How sure a score is: Wilson intervals, exact McNemar, Bradley-Terry ratings from votes."""

from __future__ import annotations

import pytest

from tests.support.models import LLAMA, QWEN
from vision.scoring.intervals import wilson
from vision.scoring.paired import compare_pair, mcnemar_exact
from vision.scoring.ratings import battles, ratings, ratings_by_tag
from vision.values.run import Vote


@pytest.mark.parametrize(
    ("passed", "total", "low", "high"),
    [
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),  # never below 0, and not the empty interval of p ± 1.96·SE
        (10, 10, 0.7225, 1.0),
        (1, 40, 0.0044, 0.1288),
    ],
)
def test_wilson_interval(passed, total, low, high):
    found = wilson(passed, total)
    assert found == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_wilson_with_nothing_checked_is_the_whole_range():
    assert wilson(0, 0) == (0.0, 1.0)


def test_exact_mcnemar_on_the_discordant_pairs():
    # 10 items only A got right, 2 only B: 2 × P(X ≤ 2 | n = 12, p = ½) = 2 × 79 / 4096.
    assert mcnemar_exact(10, 2) == pytest.approx(158 / 4096)
    assert mcnemar_exact(0, 6) == pytest.approx(2 / 64)
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 0) == 1.0


def test_the_comparison_sentence_says_significant_or_not_distinguishable():
    items = [f"i{n}" for n in range(40)]
    qwen = dict.fromkeys(items, True)
    llama = {item: n < 28 for n, item in enumerate(items)}
    found = compare_pair(QWEN, LLAMA, qwen, llama, tag="chart")
    assert (found.only_a, found.only_b) == (12, 0)
    assert found.sentence.startswith(
        "Qwen2-VL-7B-Instruct passes more chart items; the difference is significant at 5%"
    )
    close = {item: n < 38 for n, item in enumerate(items)}
    found = compare_pair(QWEN, LLAMA, qwen, close)
    assert found.sentence.startswith(
        "Qwen2-VL-7B-Instruct and Llama-3.2-90B-Vision-Instruct are not distinguishable with "
        "40 items"
    )


def _votes(a_wins: int, b_wins: int, ties: int = 0, both_bad: int = 0, tag=None) -> list[Vote]:
    def vote(choice):
        return Vote(model_a="A", model_b="B", choice=choice, tag=tag)

    return (
        [vote("a")] * a_wins + [vote("b")] * b_wins + [vote("tie")] * ties
        + [vote("both_bad")] * both_bad
    )  # fmt: skip


def test_bradley_terry_puts_three_wins_in_four_near_190_points_apart():
    # P(A beats B) = 3/4 means 10^(d/400) = 3: d = 400 log10 3 ≈ 191 (a little less with the
    # tenth-of-a-tie pseudo-count).
    top, bottom = ratings(_votes(30, 10), rounds=200)
    assert top.model == "A"
    assert top.rating - bottom.rating == pytest.approx(191, abs=3)
    assert top.rating + bottom.rating == pytest.approx(2000)
    assert top.low < top.rating < top.high
    assert bottom.low < bottom.rating < bottom.high


def test_ties_are_half_a_win_and_both_bad_counts_for_neither():
    assert [score for _, _, score in battles(_votes(1, 0, ties=1, both_bad=5))] == [1.0, 0.5]
    even = ratings(_votes(0, 0, ties=6), rounds=50)
    assert [rating.rating for rating in even] == [pytest.approx(1000), pytest.approx(1000)]


def test_an_undefeated_model_gets_a_finite_rating_and_few_votes_a_wide_interval():
    top, _ = ratings(_votes(5, 0), rounds=200)
    assert 1000 < top.rating < 2000
    few, _ = ratings(_votes(5, 1), rounds=200)
    many, _ = ratings(_votes(50, 10), rounds=200)
    assert few.high - few.low > 2 * (many.high - many.low)


def test_ratings_per_tag():
    grouped = ratings_by_tag(_votes(8, 2, tag="chart") + _votes(2, 8, tag="doc"), rounds=50)
    assert grouped["chart"][0].model == "A"
    assert grouped["doc"][0].model == "B"
