"""The Batch page driven through AppTest against the in-process echo backend."""

from __future__ import annotations

import csv
import io
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.support.batch_page import finish
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import (
    page_dump as _page_dump,
    shows as _shows,
    table_with,
    texts as _texts,
)
from vision.echo import EchoServer, Fault
from vision.export.runs import export_csv, export_json, export_markdown
from vision.history.store import HistoryStore


def _png(name: str, side: int) -> tuple[str, bytes, str]:
    return (name, make_image("PNG", (side, side)), "image/png")


THREE = [_png("one.png", 40), _png("two.png", 48), _png("three.png", 56)]


def _run(at: AppTest, *files: tuple[str, bytes, str], concurrency: int | None = None) -> None:
    at.file_uploader(key="batch_images").set_value(list(files)).run()
    if concurrency is not None:
        at.number_input(key="batch_concurrency").set_value(concurrency).run()
    assert not at.button(key="batch_run").disabled, _texts(at)
    at.button(key="batch_run").click().run()
    assert not at.exception


def _grid(at: AppTest) -> Any:
    return table_with(at, "item")


def _chat_requests(echo: EchoServer) -> list[Any]:
    return [r for r in echo.requests if r.path.endswith("/chat/completions")]


def test_a_batch_runs_every_image_on_both_models_and_shows_the_grid(batch_page, echo, history_file):
    at = batch_page()
    _run(at, *THREE)
    finish(at)

    grid = _grid(at)
    assert list(grid["item"]) == ["one.png", "two.png", "three.png"]
    for model in (LLAMA, QWEN):
        name = model.rsplit("/", 1)[-1]
        assert all("echo backend" in answer for answer in grid[f"{name} · answer"])
        assert all(tokens > 0 for tokens in grid[f"{name} · tokens"])
    assert all(str(url).startswith("data:image/jpeg;base64,") for url in grid["image"])
    assert _shows(at, "6 answered")
    assert len(_chat_requests(echo)) == 6
    with HistoryStore(history_file) as store:
        batch_id = at.session_state["batch"].batch_id
        saved = store.batch_runs(batch_id)
    assert len(saved) == 6
    assert {run.model for run in saved} == {LLAMA, QWEN}
    assert all(run.images and run.images[0].thumbnail for run in saved)


def test_expected_answers_in_a_csv_give_pass_rates_per_model_and_tag(batch_page):
    at = batch_page()
    table = (
        "image,prompt,expected,tag\n"
        "one.png,Read the text,echo backend,ocr\n"
        "two.png,What chart is this?,a pie chart of sales,chart\n"
    )
    at.file_uploader(key="batch_table").set_value(("table.csv", table.encode(), "text/csv")).run()
    _run(at, *THREE[:2])
    finish(at)

    rates = table_with(at, "pass rate")
    assert sorted(rates["model"]) == sorted(m.rsplit("/", 1)[-1] for m in (LLAMA, QWEN))
    assert list(rates["pass rate"]) == [50.0, 50.0]
    assert list(rates["checked"]) == [2, 2]
    by_tag = next(frame.value for frame in at.dataframe if "tag" in frame.value.columns
                  and "pass rate" in frame.value.columns)  # fmt: skip
    assert dict(zip(by_tag["tag"], by_tag["pass rate"], strict=True)) == {
        "chart": 0.0,
        "ocr": 100.0,
    }

    at.selectbox(key="batch_metric").set_value("regex").run()
    assert not at.exception
    rates = table_with(at, "pass rate")
    assert list(rates["checked"]) == [2, 2]


def test_a_csv_row_naming_a_missing_file_blocks_the_run_with_a_sentence(batch_page):
    at = batch_page()
    table = b"image,expected\nmissing.png,cat\n"
    at.file_uploader(key="batch_table").set_value(("t.csv", table, "text/csv")).run()
    assert at.button(key="batch_run").disabled
    assert _shows(at, "missing.png")


def test_a_table_past_the_row_cap_blocks_the_run_and_says_to_split_it_or_use_vision_eval(
    batch_page,
):
    at = batch_page()
    table = b"url\n" + b"https://example.com/chart.png\n" * 100_001
    at.file_uploader(key="batch_table").set_value(("big.csv", table, "text/csv")).run()
    assert at.button(key="batch_run").disabled
    assert _shows(at, "more than 100,000 image rows")
    assert _shows(at, "`vision eval --images TABLE`")


def test_cancel_keeps_the_answers_already_in_and_retry_runs_the_rest(
    batch_page, echo, history_file
):
    echo.add_fault(Fault(kind="slow", ttft_s=0.3, times=None))
    at = batch_page()
    _run(at, *THREE, concurrency=1)
    live = at.session_state["batch"]
    assert at.button(key="batch_cancel")  # the progress panel is up while the batch runs
    while not live.view().runs:
        assert live.running, "the batch ended before it could be cancelled"
        live.wait(0.05)
    at.button(key="batch_cancel").click().run()
    finish(at)

    view = live.view()
    kept = len(view.runs)
    assert 1 <= kept < 6
    assert view.cancelled
    assert view.skipped == 6 - kept
    assert _shows(at, "Cancelled")
    with HistoryStore(history_file) as store:
        assert len(store.batch_runs(live.batch_id)) == kept
    assert len(_grid(at)) >= 1

    echo.clear_faults()
    at.button(key="batch_retry").click().run()
    finish(at)
    assert len(live.view().runs) == 6
    assert len(_chat_requests(echo)) == 6  # the retry sent only the jobs that had not run
    assert len(_grid(at)) == 3
    assert "batch_retry" not in _keys(at)


def _keys(at: AppTest) -> set[str]:
    return {button.key for button in at.button if button.key}


def test_failed_items_are_shown_and_retried_alone(batch_page, echo):
    echo.add_fault(Fault(kind="status", status=400, model=QWEN, times=3))
    at = batch_page()
    _run(at, *THREE)
    finish(at)

    grid = _grid(at)
    assert all(answer.startswith("⚠") for answer in grid["Qwen2-VL-7B-Instruct · answer"])
    assert all("echo backend" in a for a in grid["Llama-3.2-90B-Vision-Instruct · answer"])
    assert _shows(at, "3 failed")
    before = len(_chat_requests(echo))

    at.button(key="batch_retry").click().run()
    finish(at)
    assert len(_chat_requests(echo)) == before + 3
    assert {r.body["model"] for r in _chat_requests(echo)[before:]} == {QWEN}
    grid = _grid(at)
    assert all("echo backend" in answer for answer in grid["Qwen2-VL-7B-Instruct · answer"])
    assert "batch_retry" not in _keys(at)


def test_a_blind_vote_is_saved_then_reveals_the_models_and_updates_the_leaderboard(
    batch_page, history_file
):
    at = batch_page()
    _run(at, *THREE[:2])
    finish(at)
    # The vote view is drawn only while its tab is open.
    assert not _shows(at, "Answer A")
    assert "batch_vote_a" not in _keys(at)
    at.session_state["batch_tab"] = "Blind vote"
    at.run()
    # The answers are shown as A and B with no model name until the vote.
    assert _shows(at, "Answer A")
    assert _shows(at, "Answer B")
    assert not any("You judged" in text for text in _texts(at))

    at.button(key="batch_vote_a").click().run()
    assert not at.exception
    with HistoryStore(history_file) as store:
        votes = store.votes()
    assert len(votes) == 1
    assert votes[0].choice == "a"
    winner = votes[0].model_a.rsplit("/", 1)[-1]
    loser = votes[0].model_b.rsplit("/", 1)[-1]
    assert _shows(at, f"A was **{winner}**")
    board = table_with(at, "win rate")
    assert dict(zip(board["model"], board["win rate"], strict=True)) == {winner: 100.0, loser: 0.0}

    at.button(key="batch_vote_tie").click().run()
    assert _shows(at, "You voted on all 2 images")
    board = table_with(at, "win rate")
    assert dict(zip(board["model"], board["votes"], strict=True)) == {winner: 2, loser: 2}
    assert dict(zip(board["model"], board["win rate"], strict=True)) == {winner: 75.0, loser: 25.0}


def _answers_shown(at: AppTest) -> list[str]:
    values = [str(markdown.value) for markdown in at.markdown]
    return [values[values.index(f"##### Answer {label}") + 1] for label in ("A", "B")]


def test_the_vote_view_never_names_a_model_and_undo_takes_the_last_vote_back(
    batch_page, history_file
):
    at = batch_page()
    _run(at, *THREE[:2])
    finish(at)
    at.session_state["batch_tab"] = "Blind vote"
    at.run()
    # The echo's answers name their model; in the vote view every name is masked.
    for answer in _answers_shown(at):
        assert "[model hidden] received the prompt" in answer
        assert not any(name in answer for name in ("Qwen", "Llama", QWEN, LLAMA))
    assert "batch_vote_undo" not in _keys(at)  # nothing cast yet
    shown = _answers_shown(at)

    at.button(key="batch_vote_b").click().run()
    with HistoryStore(history_file) as store:
        assert len(store.votes()) == 1
    at.button(key="batch_vote_undo").click().run()
    assert not at.exception
    with HistoryStore(history_file) as store:
        assert store.votes() == []
    assert _shows(at, "Your last vote was removed: that image is back among those left to judge.")
    assert _answers_shown(at) == shown  # the same pair, in the same places
    assert _shows(at, "2 images left to judge")
    assert "batch_vote_undo" not in _keys(at)
    assert _shows(at, "No votes yet")


def test_the_key_never_reaches_the_page_or_the_exports(batch_page, history_file):
    sentinel = "sk-SENTINEL-do-not-leak-4242"
    with EchoServer(api_key=sentinel) as server:
        at = batch_page(server, sentinel)
        _run(at, *THREE[:1])
        finish(at)
    assert _shows(at, "2 answered")
    assert sentinel not in _page_dump(at)
    with HistoryStore(history_file) as store:
        runs = store.batch_runs(at.session_state["batch"].batch_id)
    for text in (export_json(runs), export_markdown(runs), export_csv(runs)):
        assert sentinel not in text
        assert "echo backend" in text


def test_a_folder_upload_and_image_urls_join_the_same_batch(batch_page, echo):
    at = batch_page()
    at.toggle(key="batch_folder_mode").set_value(True).run()
    at.file_uploader(key="batch_folder").set_value(THREE[:2]).run()
    at.text_area(key="batch_urls").set_value("https://example.com/street.jpg").run()
    at.multiselect(key="batch_models").set_value([QWEN]).run()
    assert _shows(at, "3 images × 1 model = 3 requests")
    at.button(key="batch_run").click().run()
    finish(at)

    grid = _grid(at)
    assert list(grid["item"]) == ["one.png", "two.png", "https://example.com/street.jpg"]
    sent = [r.body["messages"][-1]["content"][1]["image_url"]["url"] for r in _chat_requests(echo)]
    assert "https://example.com/street.jpg" in sent  # a URL goes to the API as it is
    assert sum(url.startswith("data:image/") for url in sent) == 2


def test_the_batch_sends_its_system_prompt_temperature_and_max_tokens_and_exports_them(
    batch_page, echo, history_file
):
    at = batch_page()
    at.text_area(key="batch_system_prompt").set_value("Answer in one word.").run()
    at.slider(key="batch_temperature").set_value(0.3).run()
    at.number_input(key="batch_max_tokens").set_value(48).run()
    _run(at, *THREE[:1])
    finish(at)
    bodies = [request.body for request in _chat_requests(echo)]
    assert bodies
    for body in bodies:
        assert body["messages"][0] == {"role": "system", "content": "Answer in one word."}
        assert (body["temperature"], body["max_tokens"]) == (0.3, 48)
    with HistoryStore(history_file) as store:
        runs = store.batch_runs(at.session_state["batch"].batch_id)
    rows = list(csv.DictReader(io.StringIO(export_csv(runs))))
    assert {(row["system"], row["temperature"], row["max_tokens"]) for row in rows} == {
        ("Answer in one word.", "0.3", "48")
    }
