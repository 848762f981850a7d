"""Expected-answer checks, pass rates, blind pairs and the vote leaderboard."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from vision.errors import RequestError, VisionError
from vision.scoring.checks import (
    check_answer,
    check_run,
    model_stats,
    pass_rates,
    pattern_problem,
)
from vision.scoring.votes import blind_pair, leaderboard, leaderboard_by_tag
from vision.values.result import Usage
from vision.values.run import Run, Vote


def run(model: str = "m1", answer: str = "", **fields: object) -> Run:
    return Run(prompt="p", model=model, answer=answer, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "expected", "passed"),
    [
        ("The total is 12.50 EUR.", "12.50", True),
        ("A Red Bicycle", "red  bicycle", True),
        ("A red car", "bicycle", False),
    ],
)
def test_contains_ignores_case_and_spacing(answer, expected, passed):
    assert check_answer(answer, expected, "contains").passed is passed


def test_exact_compares_after_normalising_whitespace_and_case():
    assert check_answer("  Hello\n  WORLD ", "hello world", "exact").passed
    assert not check_answer("hello world!", "hello world", "exact").passed


def test_regex_searches_the_answer():
    assert check_answer("Invoice no. 4711 dated", r"\b\d{4}\b", "regex").passed
    assert not check_answer("no digits here", r"\d+", "regex").passed


def test_a_bad_pattern_fails_with_a_sentence_instead_of_raising():
    outcome = check_answer("anything", "([unclosed", "regex")
    assert not outcome.passed
    assert "not a valid regular expression" in outcome.reason
    assert pattern_problem("([unclosed") == outcome.reason
    assert pattern_problem(r"\d+") is None


def test_an_unknown_check_kind_is_a_vision_error():
    with pytest.raises(VisionError, match="contains, exact or regex"):
        check_answer("a", "a", "fuzzy")  # type: ignore[arg-type]


def test_a_run_without_expected_answer_is_not_checked_and_an_error_fails():
    assert check_run(run(answer="x")) is None
    failed = check_run(run(expected="cat", error="The server did not answer in time."))
    assert failed is not None
    assert not failed.passed


def test_pass_rates_per_model_and_per_tag():
    runs = [
        run("qwen", "a cat", expected="cat", tag="photo"),
        run("qwen", "a dog", expected="cat", tag="photo"),
        run("qwen", "TOTAL 5", expected="total 5", tag="ocr"),
        run("llama", "cat", expected="cat", tag="photo"),
        run("llama", "", expected="total 5", tag="ocr", error="Timed out; try again."),
        run("llama", "no expectation"),
    ]
    overall = {r.model: (r.passed, r.checked, r.errors) for r in pass_rates(runs)}
    assert overall == {"qwen": (2, 3, 0), "llama": (1, 2, 1)}
    per_tag = {(r.model, r.tag): r.rate for r in pass_rates(runs, by_tag=True)}
    assert per_tag[("qwen", "photo")] == 0.5
    assert per_tag[("llama", "ocr")] == 0.0
    assert per_tag[("qwen", "ocr")] == 1.0


def test_blind_pair_puts_each_model_first_about_half_the_time():
    rng = random.Random(7)  # noqa: S311 - a seeded shuffle, not a secret
    firsts = Counter(blind_pair(["qwen", "llama"], rng).a for _ in range(400))
    assert 150 < firsts["qwen"] < 250
    pair = blind_pair(["qwen", "llama"], rng)
    assert {pair.a, pair.b} == {"qwen", "llama"}


def test_blind_pair_needs_two_answers():
    with pytest.raises(RequestError, match="two answers"):
        blind_pair(["only one"], random.Random(0))  # noqa: S311


def test_leaderboard_counts_wins_losses_ties_and_both_bad():
    votes = [
        Vote(model_a="qwen", model_b="llama", choice="a"),
        Vote(model_a="llama", model_b="qwen", choice="b"),
        Vote(model_a="llama", model_b="qwen", choice="a"),
        Vote(model_a="qwen", model_b="llama", choice="tie"),
        Vote(model_a="qwen", model_b="llama", choice="both_bad"),
    ]
    rows = {row.model: row for row in leaderboard(votes)}
    qwen, llama = rows["qwen"], rows["llama"]
    assert (qwen.wins, qwen.losses, qwen.ties, qwen.both_bad) == (2, 1, 1, 1)
    assert (llama.wins, llama.losses, llama.ties, llama.both_bad) == (1, 2, 1, 1)
    assert qwen.win_rate == pytest.approx(2.5 / 5)
    assert [row.model for row in leaderboard(votes)] == ["qwen", "llama"]


def test_leaderboard_per_tag_and_empty():
    votes = [
        Vote(model_a="qwen", model_b="llama", choice="a", tag="ocr"),
        Vote(model_a="qwen", model_b="llama", choice="b", tag="chart"),
        Vote(model_a="qwen", model_b="llama", choice="b"),
    ]
    boards = leaderboard_by_tag(votes)
    assert list(boards) == [None, "chart", "ocr"]
    assert boards["ocr"][0].model == "qwen"
    assert boards["chart"][0].model == "llama"
    assert leaderboard([]) == []


def test_model_stats_average_successful_runs_only():
    runs = [
        run("qwen", "a", latency_s=1.0, ttft_s=0.2, usage=Usage(total_tokens=10)),
        run("qwen", "b", latency_s=3.0, ttft_s=0.4, usage=Usage(total_tokens=30)),
        run("qwen", "", error="Rate limited; wait a minute.", latency_s=9.0),
    ]
    (stats,) = model_stats(runs)
    assert (stats.runs, stats.errors) == (3, 1)
    assert stats.mean_latency_s == pytest.approx(2.0)
    assert stats.mean_total_tokens == pytest.approx(20.0)
