"""Repeated runs scored, with worked examples: flip rates, the spread across repeats, pass rates
over items, and the paired comparison on each item's share of passed repeats."""

from __future__ import annotations

import pytest

from tests.support.models import LLAMA, QWEN
from vision.batch.recorded.by_item import item_repeats, runs_by_item
from vision.report.repeats import repeats_section
from vision.scoring.paired import compare_pair, paired_difference
from vision.scoring.repeats import (
    SPREAD_COLUMNS,
    flipped_items,
    item_flips,
    repeat_spread,
    repeated,
    spread_row,
)
from vision.scoring.summary import comparisons, final_runs, score_runs, score_table
from vision.values.batch import BatchItem, BatchJob, BatchResult
from vision.values.result import ChatResult, Usage
from vision.values.run import Run


def run(index, model, answer, repeat, *, error=None):
    return Run(
        id=index * 100 + repeat * 10 + (model == LLAMA) + 1,
        prompt="p",
        model=model,
        answer=answer,
        expected="cat",
        error=error,
        item_index=index,
        item_name=f"item-{index}",
        params={"repeat": repeat} if repeat else {},
    )


def runs_of(model, passes):
    """One model's runs: passes[item][repeat] says whether that answer names the cat."""
    return [
        run(index, model, "a cat" if passed else "a dog", repeat)
        for index, row in enumerate(passes)
        for repeat, passed in enumerate(row)
    ]


def test_a_job_keeps_its_repeat_in_the_runs_parameters_and_the_first_keeps_none():
    item = BatchItem(image="https://example.test/a.png", prompt="p")
    answer = ChatResult(text="t", model=QWEN, finish_reason="stop", usage=Usage(), latency_s=0.1)
    made = [
        BatchResult(job=BatchJob(item_index=0, model=QWEN, repeat=r), item=item, batch_id="b",
                    result=answer).to_run()
        for r in (0, 2)
    ]  # fmt: skip
    assert [saved.params.get("repeat") for saved in made] == [None, 2]
    assert [saved.repeat for saved in made] == [0, 2]


def test_each_repeat_is_a_job_of_its_own_and_a_retry_replaces_only_its_own_repeat():
    failed = run(0, QWEN, "", 1, error="timed out")
    retried = run(0, QWEN, "a cat", 1)
    first = run(0, QWEN, "a dog", 0)
    assert final_runs([first, failed, retried]) == [first, retried]


def test_flip_rate_is_the_share_of_repeats_that_differ_from_the_majority():
    outcomes = score_runs(
        runs_of(QWEN, [[True, True, False], [True, True, True], [False, False, False]]),
        "contains",
    )
    found = {flips.name: flips for flips in item_flips(outcomes)}
    # 2 of 3 passed: one repeat against the majority, 1/3; all agreeing: 0.
    assert found["item-0"].flips == 1
    assert found["item-0"].flip_rate == pytest.approx(1 / 3)
    assert found["item-1"].flip_rate == 0.0
    assert found["item-2"].flip_rate == 0.0


def test_an_even_split_flips_half_of_the_repeats():
    outcomes = score_runs(runs_of(QWEN, [[True, False, True, False]]), "contains")
    (found,) = item_flips(outcomes)
    assert (found.flips, found.flip_rate) == (2, 0.5)


def test_the_spread_is_each_repeats_pass_rate_their_range_and_sample_deviation():
    # Repeat 1 passes 1 of 2 items, repeats 2 and 3 pass both: 50%, 100%, 100%; the sample
    # standard deviation (n - 1) of 0.5, 1, 1 is sqrt(((-1/3)^2 + 2 (1/6)^2) / 2) = 0.2887.
    outcomes = score_runs(runs_of(QWEN, [[False, True, True], [True, True, True]]), "contains")
    assert repeated(outcomes)
    (spread,) = repeat_spread(outcomes)
    assert spread.rates == (0.5, 1.0, 1.0)
    assert (spread.low, spread.high) == (0.5, 1.0)
    assert spread.sd == pytest.approx(0.288675, abs=1e-6)
    assert (spread.flipped, spread.items) == (1, 2)
    assert spread.mean_flip_rate == pytest.approx(1 / 6)


def test_the_page_and_the_report_show_the_same_spread_row():
    outcomes = score_runs(runs_of(QWEN, [[False, True, True], [True, True, True]]), "contains")
    (spread,) = repeat_spread(outcomes)
    row = spread_row(spread)
    assert row["pass rate per repeat"] == "50% · 100% · 100%"
    assert (row["min – max"], row["standard deviation (points)"]) == ("50% – 100%", 28.9)
    section = repeats_section(outcomes)
    cells = [f'<td class="n">{row[column]}</td>' for column in SPREAD_COLUMNS[1:]]
    assert all(cell in section for cell in cells)


def test_pass_rates_over_repeats_count_answers_and_their_interval_counts_items():
    outcomes = score_runs(runs_of(QWEN, [[False, True, True], [True, True, True]]), "contains")
    (row,) = score_table(outcomes)
    assert (row.passed, row.items, row.repeats) == (5, 6, 3)
    # Wilson over 2 items with 2/3 + 1 = 5/3 passed, not over 6 answers: repeats of the same
    # item do not narrow the interval as if they were new items.
    assert (round(row.low, 4), round(row.high, 4)) == (0.2408, 0.9875)
    single = score_table(score_runs(runs_of(QWEN, [[True], [False]]), "contains"))[0]
    assert (single.passed, single.items, single.repeats) == (1, 2, 1)


def test_a_batch_asked_once_is_compared_by_mcnemar_as_before():
    outcomes = score_runs(runs_of(QWEN, [[True]] * 12) + runs_of(LLAMA, [[False]] * 12), "contains")
    (found,) = comparisons(outcomes, [QWEN, LLAMA])
    assert (found.only_a, found.only_b, round(found.p_value, 6)) == (12, 0, 0.000488)
    assert "Qwen2-VL-7B-Instruct passes 12, Llama-3.2-90B-Vision-Instruct 0" in found.sentence


def test_repeats_are_compared_on_each_items_share_of_passed_repeats():
    # Qwen's shares: 2/3, 1, 1/3; Llama's: 0, 1/3, 1/3. Differences 2/3, 2/3, 0: Qwen ahead on
    # two items, a tie on one; the sign test is McNemar's on 2 against 0, p = 0.5.
    qwen = runs_of(QWEN, [[True, True, False], [True, True, True], [False, True, False]])
    llama = runs_of(LLAMA, [[False, False, False], [True, False, False], [False, False, True]])
    (found,) = comparisons(score_runs(qwen + llama, "contains"), [QWEN, LLAMA])
    assert (found.repeats, found.items, found.only_a, found.only_b) == (3, 3, 2, 0)
    assert found.p_value == 0.5
    assert found.difference == pytest.approx(4 / 9)
    # sd of (2/3, 2/3, 0) is 0.3849; 1.96 · 0.3849 / sqrt(3) = 0.4356.
    low, high = found.difference_interval
    assert (round(low, 4), round(high, 4)) == (0.0089, 0.8800)
    assert not found.significant
    assert "over 3 repeats" in found.sentence
    assert "+44.4 points (95% interval +0.9 to +88.0)" in found.sentence


def test_the_paired_difference_of_one_item_says_nothing_and_of_none_is_zero():
    assert paired_difference([]) == (0.0, (0.0, 0.0))
    assert paired_difference([0.5]) == (0.5, (-1.0, 1.0))
    same = compare_pair(QWEN, LLAMA, {"a": 1.0, "b": 1.0}, {"a": 1.0, "b": 1.0}, repeats=2)
    assert (same.difference, same.p_value) == (0.0, 1.0)


def test_flipped_items_are_listed_least_stable_first_and_steady_ones_left_out():
    # item-0 splits 2 to 2 (flip rate ½), item-1 passes 3 of 4 (¼), item-2 never fails.
    outcomes = score_runs(runs_of(QWEN, [[1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]), "contains")
    assert [(found.name, found.flip_rate) for found in flipped_items(outcomes)] == [
        ("item-0", 0.5),
        ("item-1", 0.25),
    ]


def test_a_batch_grid_has_a_row_per_item_and_repeat_each_holding_every_models_answer():
    runs = runs_of(QWEN, [[1, 0], [1, 1]]) + runs_of(LLAMA, [[0, 0], [1, 1]])
    rows = item_repeats(runs_by_item(runs))
    assert [(row.position, row.label, row.repeat) for row in rows] == [
        (0, "item-0", 0), (0, "item-0", 1), (1, "item-1", 0), (1, "item-1", 1)
    ]  # fmt: skip
    assert [sorted(run.model for run in row.runs) for row in rows] == [sorted([QWEN, LLAMA])] * 4
