"""Blind A/B votes: which images can be judged, the pair on screen, the vote that is saved."""

from __future__ import annotations

import random

from tests.support.models import LLAMA, QWEN
from vision.scoring.votes import (
    HIDDEN_MODEL,
    PairOnScreen,
    blind_text,
    next_pair,
    votable_groups,
    vote_for,
)
from vision.values.run import Run, RunImage

BATCH = "batch-1"


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - a reproducible A/B order, not a secret


def answer(
    run_id: int, item: int, model: str, *, error: str | None = None, tag: str | None = None
) -> Run:
    return Run(
        id=run_id,
        kind="batch_item",
        batch_id=BATCH,
        item_index=item,
        item_name=f"img-{item}.png",
        prompt="What is in this image?",
        model=model,
        answer="" if error else f"{model} on image {item}",
        error=error,
        tag=tag,
        images=(RunImage(sha256=f"sha-of-image-{item}"),),
    )


def batch() -> list[Run]:
    """Image 0 and 2 answered by both models; image 1 only by Llama (Qwen failed)."""
    return [
        answer(1, 0, LLAMA),
        answer(2, 0, QWEN),
        answer(3, 1, LLAMA),
        answer(4, 1, QWEN, error="The server failed (500)."),
        answer(5, 2, LLAMA),
        answer(6, 2, QWEN),
    ]


def test_only_images_two_models_answered_can_be_voted_on():
    groups = votable_groups(batch())
    assert list(groups) == [f"{BATCH}:0", f"{BATCH}:2"]
    assert sorted(run.model for run in groups[f"{BATCH}:0"]) == sorted([LLAMA, QWEN])


def test_unsaved_answers_and_one_model_asked_twice_are_not_a_pair():
    runs = [
        answer(0, 0, LLAMA),  # not saved yet: no id to vote with
        answer(2, 0, QWEN),
        answer(3, 1, LLAMA),
        answer(7, 1, LLAMA),  # the same model again (a retry) is not a second opinion
    ]
    assert votable_groups(runs) == {}


def test_the_pair_on_screen_stays_while_its_answers_exist():
    groups = votable_groups(batch())
    a, b, shown = next_pair(groups, set(), None, seeded(1))
    assert shown.pair_id == f"{BATCH}:0"
    assert (shown.run_a_id, shown.run_b_id) == (a.id, b.id)
    for seed in range(5):  # later reruns draw other random numbers, the pair stays
        again = next_pair(groups, set(), shown, seeded(seed))
        assert again == (a, b, shown)
    # Just voted on, it stays too: the page reveals the models before moving on.
    assert next_pair(groups, {shown.pair_id}, shown, seeded(9)) == (a, b, shown)


def test_after_a_vote_the_next_pair_is_the_first_image_not_voted_on():
    groups = votable_groups(batch())
    a, b, shown = next_pair(groups, {f"{BATCH}:0"}, None, seeded(3))
    assert shown.pair_id == f"{BATCH}:2"
    assert {a.id, b.id} == {5, 6}


def test_a_pair_whose_answers_were_deleted_is_replaced():
    groups = votable_groups(batch())
    gone = PairOnScreen(pair_id=f"{BATCH}:0", run_a_id=1, run_b_id=99)
    a, b, shown = next_pair(groups, set(), gone, seeded(0))
    assert shown != gone
    assert shown.pair_id == f"{BATCH}:0"
    assert {a.id, b.id} == {1, 2}


def test_no_pair_once_every_image_has_its_vote():
    groups = votable_groups(batch())
    assert next_pair(groups, {f"{BATCH}:0", f"{BATCH}:2"}, None, seeded(0)) is None


def test_the_voter_cannot_guess_which_model_is_a():
    groups = votable_groups(batch())
    first_models = set()
    for seed in range(20):
        pair = next_pair(groups, set(), None, seeded(seed))
        assert pair is not None
        first_models.add(pair[0].model)
    assert first_models == {LLAMA, QWEN}


def test_a_vote_records_the_image_the_models_and_the_runs_judged():
    llama, qwen = answer(5, 2, LLAMA, tag="chart"), answer(6, 2, QWEN, tag="chart")
    vote = vote_for(qwen, llama, "a")
    assert vote.batch_id == BATCH
    assert vote.pair_id == f"{BATCH}:2"
    assert vote.image_sha256 == "sha-of-image-2"
    assert (vote.model_a, vote.model_b) == (QWEN, LLAMA)
    assert (vote.run_a_id, vote.run_b_id) == (6, 5)
    assert vote.choice == "a"
    assert vote.tag == "chart"


def test_an_answer_that_names_its_model_is_masked_in_the_vote_view():
    # The echo's answers name their model; a real model may name itself in any case.
    echo_text = f"[echo backend — no model ran] {QWEN} received the prompt “Who?”."
    assert blind_text(echo_text, [LLAMA, QWEN]) == (
        f"[echo backend — no model ran] {HIDDEN_MODEL} received the prompt “Who?”."
    )
    said = "As qwen2-vl-7b-instruct, I think Llama-3.2-90B-Vision is wrong."
    assert blind_text(said, [LLAMA, QWEN]) == f"As {HIDDEN_MODEL}, I think {HIDDEN_MODEL} is wrong."
    # Only the names the app knows a model by: other spellings are the model's own words.
    assert blind_text("I am Llama 3.", [LLAMA, QWEN]) == "I am Llama 3."
    assert blind_text("Llama-3.2-90B-Vision-Instruct", [LLAMA, QWEN]) == HIDDEN_MODEL
    assert blind_text("A red bus.", [LLAMA, QWEN]) == "A red bus."
