"""How sure a score is: Wilson intervals, exact McNemar, Bradley-Terry ratings from votes."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tests.support.models import LLAMA, QWEN
from vision.scoring.intervals import wilson
from vision.scoring.paired import compare_pair, mcnemar_exact
from vision.scoring.ratings import battles, fit, needs_pseudo_count, ratings, ratings_by_tag
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


def _exact_tail(b: int, c: int) -> float:
    """2 · P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), in exact integers."""
    n, term, total = b + c, 1, 1
    for k in range(min(b, c)):
        term = term * (n - k) // (k + 1)
        total += term
    return min(1.0, float(2 * Fraction(total, 2**n)))


def test_exact_mcnemar_on_the_discordant_pairs():
    # 10 items only A got right, 2 only B: 2 × P(X ≤ 2 | n = 12, p = ½) = 2 × 79 / 4096.
    assert mcnemar_exact(10, 2) == pytest.approx(158 / 4096, rel=1e-12)
    assert mcnemar_exact(0, 6) == pytest.approx(2 / 64, rel=1e-12)
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 0) == 1.0


def test_exact_mcnemar_equals_the_exact_binomial_test_on_every_split_of_up_to_150_pairs():
    for n in range(1, 151):
        for b in range(n + 1):
            assert mcnemar_exact(b, n - b) == pytest.approx(_exact_tail(b, n - b), rel=1e-11)
    for b in (900, 950, 980, 1000):
        assert mcnemar_exact(b, 2000 - b) == pytest.approx(_exact_tail(b, 2000 - b), rel=1e-10)


def test_exact_mcnemar_at_100000_pairs_is_the_binomial_tail_not_an_overflow():
    # 49,600 against 50,400: z = (800 − 1) / √100,000 ≈ 2.53, two-sided ≈ 0.0115 (normal).
    p = mcnemar_exact(49_600, 50_400)
    assert p == pytest.approx(0.011515, rel=1e-3)
    assert mcnemar_exact(50_400, 49_600) == p
    assert mcnemar_exact(50_000, 50_000) == 1.0
    assert mcnemar_exact(40_000, 60_000) == 0.0  # about 10^-218, below a float


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


def _votes(a_wins: int, b_wins: int, ties: int = 0, both_bad: int = 0, tag=None, a="A", b="B"):
    def vote(choice):
        return Vote(model_a=a, model_b=b, choice=choice, tag=tag)

    return (
        [vote("a")] * a_wins + [vote("b")] * b_wins + [vote("tie")] * ties
        + [vote("both_bad")] * both_bad
    )  # fmt: skip


def _gap(found) -> float:
    top, bottom = found
    return top.rating - bottom.rating


def test_three_wins_in_four_are_400_log10_3_points_apart_as_lmarenas_maximum_likelihood():
    top, bottom = ratings(_votes(30, 10), rounds=200)
    assert top.model == "A"
    assert top.rating - bottom.rating == pytest.approx(400 * math.log10(3), abs=1e-6)
    assert top.rating + bottom.rating == pytest.approx(2000)
    assert top.low < top.rating < top.high
    assert bottom.low < bottom.rating < bottom.high


def test_ties_and_both_bad_are_half_a_win_each_way_as_on_lmarena():
    assert [score for _, _, score in battles(_votes(1, 0, ties=1, both_bad=1))] == [1, 0.5, 0.5]
    # 20 wins, 10 losses, 6 ties and 4 "both bad": A scores 25 of 40, so 10^(d/400) = 25/15.
    found = ratings(_votes(20, 10, ties=6, both_bad=4), rounds=50)
    assert _gap(found) == pytest.approx(400 * math.log10(25 / 15), abs=1e-6)
    even = ratings(_votes(0, 0, ties=6), rounds=50)
    assert [rating.rating for rating in even] == [pytest.approx(1000), pytest.approx(1000)]


def test_votes_that_match_strengths_4_2_1_give_exactly_those_ratings():
    # P(A beats B) = 4/6, P(B beats C) = 2/3, P(A beats C) = 4/5: the votes say exactly that.
    votes = _votes(20, 10, a="A", b="B") + _votes(20, 10, a="B", b="C")
    votes += _votes(40, 10, a="A", b="C")
    found = {rating.model: rating.rating for rating in ratings(votes, rounds=20)}
    step = 400 * math.log10(2)
    assert found == {
        "A": pytest.approx(1000 + step, abs=1e-6),
        "B": pytest.approx(1000, abs=1e-6),
        "C": pytest.approx(1000 - step, abs=1e-6),
    }


# Computed by LMArena's own code (FastChat, fastchat/serve/monitor/rating_systems.py,
# compute_bt and compute_bootstrap_bt with 1,000 rounds) on these votes, in this order.
# Each pair: a's wins, b's wins, ties, "both bad".
ARENA_VOTES = {
    ("A", "B"): (30, 12, 5, 3), ("A", "C"): (25, 5, 4, 0), ("B", "C"): (18, 14, 6, 2),
    ("C", "D"): (10, 9, 0, 0), ("A", "D"): (12, 3, 0, 0), ("B", "D"): (7, 8, 1, 0),
}  # fmt: skip
ARENA_FIT = {"A": 1139.5494, "B": 979.6708, "D": 943.4287, "C": 937.3511}
ARENA_INTERVALS = {"A": (1085.0965, 1198.7374), "B": (925.0154, 1031.5543),
                   "D": (869.3307, 1013.0279), "C": (881.0390, 990.5261)}  # fmt: skip


def test_ratings_and_intervals_equal_lmarenas_on_the_same_votes():
    votes = [vote for (a, b), counts in ARENA_VOTES.items() for vote in _votes(*counts, a=a, b=b)]
    found = {rating.model: rating for rating in ratings(votes)}
    for model, rating in found.items():
        assert rating.rating == pytest.approx(ARENA_FIT[model], abs=0.01)
        # Arena stops each bootstrap fit at 100 L-BFGS steps or a gradient under 1e-6, up to
        # about 0.01 points short of the maximum; ours stop within a millionth of a point.
        low, high = ARENA_INTERVALS[model]
        assert (rating.low, rating.high) == (
            pytest.approx(low, abs=0.02),
            pytest.approx(high, abs=0.02),
        )
    assert found["A"].battles == 30 + 12 + 5 + 3 + 25 + 5 + 4 + 12 + 3


def test_the_fit_converges_when_a_model_almost_never_loses():
    # A loses once in 2,001 votes: the maximum exists, far out; at it, every model's expected
    # score equals its actual score (the likelihood's maximum), which a fit stopped early misses.
    votes = _votes(1000, 1, a="A", b="B") + _votes(1000, 0, a="A", b="C")
    votes += _votes(10, 12, ties=3, a="B", b="C")
    found = fit(battles(votes))
    assert not needs_pseudo_count(battles(votes))

    def expected(x, y, games):
        return games / (1 + 10 ** ((found[y] - found[x]) / 400))

    assert expected("A", "B", 1001) + expected("A", "C", 1000) == pytest.approx(2000, abs=1e-6)
    assert expected("B", "A", 1001) + expected("B", "C", 25) == pytest.approx(12.5, abs=1e-6)


def test_an_undefeated_model_gets_the_documented_pseudo_count_of_a_tenth_of_a_tie():
    games = battles(_votes(5, 0))
    assert needs_pseudo_count(games)
    # 5 wins and 0.05 each way: 10^(d/400) = 5.05 / 0.05.
    assert _gap(ratings(_votes(5, 0), rounds=50)) == pytest.approx(400 * math.log10(101), abs=1e-6)
    assert not needs_pseudo_count(battles(_votes(5, 1)))


def test_few_votes_give_a_wide_interval_and_the_same_seed_the_same_interval():
    few = ratings(_votes(5, 1), rounds=200)
    many = ratings(_votes(50, 10), rounds=200)
    assert few[0].high - few[0].low > 2 * (many[0].high - many[0].low)
    assert ratings(_votes(5, 1), rounds=200) == few
    assert ratings(_votes(50, 10), rounds=200, seed=1) != many


def test_ratings_per_tag():
    grouped = ratings_by_tag(_votes(8, 2, tag="chart") + _votes(2, 8, tag="doc"), rounds=50)
    assert grouped["chart"][0].model == "A"
    assert grouped["doc"][0].model == "B"
