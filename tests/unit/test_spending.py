"""Daily budgets: what is left, and the one sentence that stops a Send naming the numbers."""

from __future__ import annotations

import pytest

from tests.support.images import make_image
from vision.errors import BudgetError
from vision.team.spending import Budget, Planned, left_line, over_budget, request_cost
from vision.values.audit import Spent
from vision.values.result import ModelInfo, Usage


def test_budgets_come_from_the_environment_and_a_bad_one_is_a_sentence():
    budget = Budget.from_env(
        {"VISION_DAILY_TOKENS_PER_PERSON": "100_000", "VISION_DAILY_DOLLARS_TEAM": "2.5"}
    )
    assert budget == Budget(person_tokens=100_000, team_dollars=2.5)
    assert budget.limited
    assert not Budget.from_env({}).limited
    with pytest.raises(BudgetError, match="VISION_DAILY_TOKENS_TEAM must be a number"):
        Budget.from_env({"VISION_DAILY_TOKENS_TEAM": "lots"})


def test_a_send_that_would_pass_the_persons_tokens_is_stopped_with_the_numbers():
    budget = Budget(person_tokens=100_000, team_tokens=1_000_000)
    used = Spent(tokens=98_000, cost=0.0)
    assert over_budget(budget, used, used, Planned(tokens=1_500, cost=None)) is None
    assert over_budget(budget, used, used, Planned(tokens=7_429, cost=None)) == (
        "Not sent: this needs about 7,429 tokens, but only 2,000 of your 100,000 daily tokens "
        "are left (98,000 used); the budget resets at 00:00 UTC, or paste your own key in the "
        "sidebar."
    )


def test_the_teams_money_budget_counts_every_persons_spending():
    budget = Budget(team_dollars=1.0)
    mine, team = Spent(tokens=10, cost=0.01), Spent(tokens=9_000, cost=0.99)
    sentence = over_budget(budget, mine, team, Planned(tokens=100, cost=0.02))
    assert sentence is not None
    assert "only $0.01 of the team's $1.00 daily spending is left ($0.99 used)" in sentence
    assert over_budget(budget, mine, team, Planned(tokens=100, cost=0.005)) is None


def test_what_is_left_is_one_line_and_nothing_without_budgets():
    budget = Budget(person_tokens=50_000, team_dollars=10)
    line = left_line(budget, Spent(tokens=12_345, cost=1), Spent(tokens=0, cost=2.5))
    assert line == (
        "Budget today (UTC): your daily tokens: 37,655 of 50,000 left; the team's daily "
        "spending: $7.50 of $10.00 left."
    )
    assert left_line(Budget(), Spent(), Spent()) is None


def test_cost_is_what_the_api_reported_at_the_listed_prices():
    info = ModelInfo(id="m", input_token_price=1e-6, output_token_price=4e-6)
    assert request_cost(info, Usage(prompt_tokens=1000, completion_tokens=500)) == pytest.approx(
        0.003
    )
    assert request_cost(ModelInfo(id="m"), Usage(prompt_tokens=1)) is None
    assert request_cost(info, Usage()) is None


def test_a_used_up_budget_is_a_sentence_and_a_batch_counts_every_item_on_every_model():
    from vision.team.spending import planned_batch, spent_up, worst_case_tokens
    from vision.values.batch import BatchSizing

    budget = Budget(person_tokens=1_000)
    assert spent_up(budget, Spent(tokens=999), Spent()) is None
    assert spent_up(budget, Spent(tokens=1_200), Spent()) == (
        "Not sent: your 1,000 daily tokens are used up (1,200 used); the budget resets at "
        "00:00 UTC, or paste your own key in the sidebar."
    )
    qwen, llama = "Qwen/Qwen2-VL-7B-Instruct", "meta-llama/Llama-3.2-90B-Vision-Instruct"
    one = planned_batch(BatchSizing(items=1, text_tokens=1, sizes={(640, 480): 1}), [qwen],
                        max_tokens=100, prices=lambda m: None)  # fmt: skip
    three = planned_batch(BatchSizing(items=3, text_tokens=3, sizes={(640, 480): 3}),
                          [qwen, llama], max_tokens=100, prices=lambda m: None)  # fmt: skip
    assert three.tokens > 3 * one.tokens
    assert three.cost is None  # no prices known
    # An image URL's size is unknown: it is counted at the largest size the API takes.
    assert worst_case_tokens(llama, None) >= worst_case_tokens(llama, (640, 480))


def test_a_page_batchs_estimate_is_the_sum_of_each_item_on_each_model():
    from vision.batch.items.sizing import page_sizing
    from vision.batch.items.uploads import Upload, page_items, read_table
    from vision.images.profiles import estimate_text_tokens
    from vision.team.spending import planned_batch, worst_case_tokens

    qwen, llama = "Qwen/Qwen2-VL-7B-Instruct", "meta-llama/Llama-3.2-90B-Vision-Instruct"
    photo = make_image("PNG", (640, 480))
    table = b"image,question\nphoto.png,How many?\nhttps://example.com/a.png,What colour?\n"
    items = page_items(
        prompt="Describe it",
        uploads=[Upload(name="photo.png", data=photo), Upload(name="extra.png", data=photo)],
        table=read_table(table),
    )
    info = ModelInfo(id="m", input_token_price=1e-6, output_token_price=4e-6)
    found = planned_batch(page_sizing(items), [qwen, llama], max_tokens=50, prices=lambda m: info)
    sizes = [(640, 480), None, (640, 480)]  # the table's two rows, then the upload it does not name
    each = [
        estimate_text_tokens(item.prompt) + worst_case_tokens(model, size)
        for item, size in zip(items, sizes, strict=True)
        for model in (qwen, llama)
    ]
    assert found.tokens == sum(each) + 50 * len(each)
    assert found.cost == pytest.approx(sum(each) * 1e-6 + 50 * len(each) * 4e-6)
    assert page_sizing(items) is page_sizing(items)  # remembered for the same inputs
