"""The Batch page's scores beyond the check, through AppTest against the echo backend: a judge
model with a rubric (the echo's deterministic judge), circular evaluation of multiple-choice
rows, and a resolution sweep."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support.batch_page import run_batch
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN, TEXT_ONLY
from tests.support.pages import shows as _shows, table_with, texts as _texts
from vision.history.store import HistoryStore


def _png(name: str, side: int) -> tuple[str, bytes, str]:
    return (name, make_image("PNG", (side, side)), "image/png")


def _table(at: AppTest, name: str, text: str, mime: str = "text/csv") -> None:
    at.file_uploader(key="batch_table").set_value((name, text.encode(), mime)).run()
    assert not at.exception


def _run(at: AppTest, *files: tuple[str, bytes, str]) -> None:
    if files:
        at.file_uploader(key="batch_images").set_value(list(files)).run()
    run_batch(at)


def test_choosing_a_judge_shows_its_scores_with_the_reason_beside_each(
    batch_page, echo, history_file: Path
):
    at = batch_page()
    _table(
        at,
        "items.csv",
        "image,prompt,expected\n"
        "one.png,Read the text,read the text\n"
        "two.png,What chart is this?,a pie chart of sales\n",
    )
    at.multiselect(key="batch_models").set_value([QWEN, LLAMA]).run()
    _run(at, _png("one.png", 40), _png("two.png", 48))
    asked = len(echo.chat_requests)

    at.selectbox(key="batch_judge").set_value(QWEN).run()
    at.text_area(key="batch_rubric").set_value("Correct, and names what was asked.").run()
    at.button(key="batch_judge_run").click().run()
    assert not at.exception

    # The judge was asked once per answer, with the rubric the user wrote, and shown the image
    # that answer's model received.
    judged = echo.chat_requests[asked:]
    assert len(judged) == 4
    assert all("Correct, and names what was asked." in str(r.body) for r in judged)
    assert all("data:image/" in str(r.body) for r in judged)
    assert _shows(
        at, "The judge saw the images of the 4 answers it graded, as each model received them."
    )
    assert list(table_with(at, "saw the image")["saw the image"]) == [True] * 4
    rates = table_with(at, "judge pass rate")
    assert sorted(rates["model"]) == ["Llama-3.2-90B-Vision-Instruct", "Qwen2-VL-7B-Instruct"]
    assert list(rates["judge pass rate"]) == [50.0, 50.0]
    items = table_with(at, "reason")
    by_item = {
        (item, model): (score, reason)
        for item, model, score, reason in zip(
            items["item"], items["model"], items["judge score"], items["reason"], strict=True
        )
    }
    assert by_item[("one.png", "Qwen2-VL-7B-Instruct")] == (
        1.0,
        "Echo judge: the answer contains 'read the text'. It was shown 1 image.",
    )
    assert by_item[("two.png", "Llama-3.2-90B-Vision-Instruct")] == (
        0.0,
        "Echo judge: the answer lacks 'a pie chart of sales'. It was shown 1 image.",
    )
    # A judged answer read whole: the table's cells cut the answer and the reason.
    reader = at.selectbox(key="judge_item")
    assert reader.value is None
    two_llama = "two.png · Llama-3.2-90B-Vision-Instruct"
    assert two_llama in reader.options
    reader.set_value(reader.options.index(two_llama)).run()
    shown = _texts(at)
    assert "**two.png · Llama-3.2-90B-Vision-Instruct** · judge score 0.00 · :red[failed]" in shown
    assert "Echo judge: the answer lacks 'a pie chart of sales'. It was shown 1 image." in shown
    with HistoryStore(history_file) as store:
        (answer,) = [
            run.answer
            for run in store.batch_runs(at.session_state["batch"].batch_id)
            if run.item_name == "two.png" and run.model == LLAMA
        ]
    assert answer in shown
    # Kept beside the runs: a second click asks the judge nothing more.
    with HistoryStore(history_file) as store:
        assert len(store.judgements(at.session_state["batch"].batch_id)) == 4
    at.button(key="batch_judge_run").click().run()
    assert len(echo.chat_requests) == asked + 4


def test_a_judge_that_reads_text_only_is_shown_no_image_and_says_so(batch_page, echo):
    at = batch_page()
    _table(at, "items.csv", "image,prompt,expected\none.png,Read the text,read the text\n")
    at.multiselect(key="batch_models").set_value([QWEN]).run()
    _run(at, _png("one.png", 40))
    asked = len(echo.chat_requests)

    at.selectbox(key="batch_judge").set_value(TEXT_ONLY).run()
    assert at.toggle(key="batch_judge_images").disabled
    assert _shows(at, "Llama-3.3-70B-Instruct reads text only: it is shown no image.")
    at.button(key="batch_judge_run").click().run()
    (judged,) = echo.chat_requests[asked:]
    assert "data:image/" not in str(judged.body)
    assert _shows(at, "The judge read the 1 answer it graded as text only: it saw no image.")


def test_compare_pairs_shows_what_changed_with_the_order_and_then_the_agreement_with_votes(
    batch_page, echo, history_file: Path
):
    at = batch_page()
    # Only Qwen's echo answer names Qwen; neither names a lighthouse (the echo judge then
    # prefers whichever answer it reads first, so that pair's verdict changes with the order).
    _table(at, "items.csv", "image,expected\none.png,Qwen\ntwo.png,a lighthouse\n")
    at.multiselect(key="batch_models").set_value([QWEN, LLAMA]).run()
    _run(at, _png("one.png", 40), _png("two.png", 48))
    asked = len(echo.chat_requests)

    at.selectbox(key="batch_judge").set_value(QWEN).run()
    at.button(key="batch_judge_pairs").click().run()
    assert not at.exception
    assert len(echo.chat_requests) == asked + 4  # 2 items, each pair in both orders
    pairs = table_with(at, "changed with the order")
    assert list(pairs["A"]) == ["Qwen2-VL-7B-Instruct"]
    assert list(pairs["pairs"]) == [2]
    assert list(pairs["changed with the order"]) == [50.0]
    assert (list(pairs["A wins"]), list(pairs["B wins"])) == ([1], [0])
    assert _shows(at, "The judge saw the images of the 2 pairs it compared")
    assert _shows(at, "Vote blind on this batch to see how often the judge agrees with you.")

    # A blind vote on each pair (A is whichever model the page put first): the judge's verdict
    # counts only where it survived the swap.
    at.session_state["batch_tab"] = "Blind vote"
    at.run()
    for _ in range(2):
        at.button(key="batch_vote_a").click().run()
    with HistoryStore(history_file) as store:
        votes = store.votes()
    assert len(votes) == 2
    agreement = table_with(at, "votes compared")
    assert list(agreement["votes compared"]) == [1]
    assert list(agreement["left out: judge inconsistent"]) == [1]
    qwen_voted_better = next(
        (vote.model_a if vote.choice == "a" else vote.model_b) == QWEN
        for vote in votes
        if vote.pair_id and vote.pair_id.endswith(":0")
    )
    assert list(agreement["agreed"]) == [int(qwen_voted_better)]


# The echo quotes the first 300 characters of a prompt: this question pushes the options past
# them, so each answer is read as B, from "the answer is B" in the question (VLMEvalKit's rule).
QUESTION = (
    "Look closely at the square in this picture and say which colour it is; when unsure, "
    "the answer is B. " + "the square sits on a plain background and nothing else is drawn. " * 4
)


def test_circular_evaluation_of_a_multiple_choice_jsonl_shows_the_circular_score(batch_page, echo):
    at = batch_page()
    rows = [
        {"image": "one.png", "id": "q1", "question": QUESTION,
         "options": ["red", "green", "blue", "white"], "answer": "green"},
        {"image": "two.png", "id": "q2", "question": QUESTION,
         "options": ["cyan", "black"], "answer": "A"},
    ]  # fmt: skip
    text = "".join(json.dumps(row) + "\n" for row in rows)
    _table(at, "items.jsonl", text, "application/json")
    assert not at.toggle(key="batch_circular").disabled
    at.toggle(key="batch_circular").set_value(True).run()
    at.multiselect(key="batch_models").set_value([QWEN]).run()
    at.file_uploader(key="batch_images").set_value([_png("one.png", 40), _png("two.png", 48)])
    at.run()
    assert _shows(at, "6 images × 1 model = 6 requests")
    _run(at)

    # One request per rotation: 4 for q1's four options, 2 for q2's two.
    assert len(echo.chat_requests) == 6
    scores = table_with(at, "circular score")
    assert list(scores["questions"]) == [2]
    # Answering B passes q1 as given (green is B) but not its other rotations; q2 wants A.
    assert list(scores["plain score"]) == [50.0]
    assert list(scores["circular score"]) == [0.0]
    assert list(scores["passed every rotation"]) == [0]


def test_the_circular_switch_waits_for_items_with_options(batch_page):
    at = batch_page()
    assert at.toggle(key="batch_circular").disabled
    _table(at, "items.csv", "image,expected\none.png,cat\n")
    assert at.toggle(key="batch_circular").disabled


def test_a_sweep_shows_one_row_per_budget_with_its_tokens(batch_page, echo):
    at = batch_page()
    _table(at, "items.csv", "image,expected\nbig.png,echo backend\nwide.png,no such text\n")
    at.file_uploader(key="batch_images").set_value(
        [_png("big.png", 900), ("wide.png", make_image("PNG", (1200, 600)), "image/png")]
    ).run()
    at.multiselect(key="batch_models").set_value([QWEN]).run()
    at.text_input(key="batch_sweep_values_budgets").set_value("256, 512,1024").run()
    assert not at.button(key="batch_sweep_run").disabled, _texts(at)
    at.button(key="batch_sweep_run").click().run()
    assert not at.exception

    points = table_with(at, "prompt tokens per answer")
    assert len(echo.chat_requests) == 3 * 2
    assert list(points["setting"]) == ["256 tokens", "512 tokens", "1024 tokens"]
    assert list(points["pass rate"]) == [50.0, 50.0, 50.0]
    tokens = list(points["prompt tokens per answer"])
    assert tokens == sorted(tokens)
    assert tokens[0] < tokens[-1]
    assert len(set(points["batch"])) == 3
    assert _shows(at, "Score against prompt tokens")


def test_a_sweep_needs_two_settings_and_says_so(batch_page):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value([_png("one.png", 40)]).run()
    at.text_input(key="batch_sweep_values_budgets").set_value("512").run()
    assert at.button(key="batch_sweep_run").disabled
    assert _shows(at, "A sweep needs at least two settings")
    at.text_input(key="batch_sweep_values_budgets").set_value("256, lots").run()
    assert _shows(at, "Write the settings as whole numbers separated by commas")
    at.text_input(key="batch_sweep_values_budgets").set_value("64,512").run()
    assert at.button(key="batch_sweep_run").disabled
    assert _shows(at, "A token budget of 64 is out of range: each must be between 256 and")
