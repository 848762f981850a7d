"""Batch page: a batch outlives its session (reopened and resumed after a restart, a new tab
offered the newest), the answer cache and its switch, and the scored downloads with intervals."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.app.test_sign_in_pages import ALICE, ISSUER
from tests.conftest import ECHO_API_KEY
from tests.support.batch_page import finish
from tests.support.images import make_image
from tests.support.pages import shows as _shows, table_with, texts as _texts
from vision.batch.running import in_process as live_batches
from vision.echo import EchoServer, Fault
from vision.history.store import HistoryStore
from vision.team.access import workspace_for

THREE = [(f"{n}.png", make_image("PNG", (40 + n, 40)), "image/png") for n in range(3)]


def chats(echo: EchoServer) -> list[Any]:
    return [r for r in echo.requests if r.path.endswith("/chat/completions")]


def run(at: AppTest, *files, temperature: float | None = None) -> None:
    at.file_uploader(key="batch_images").set_value(list(files)).run()
    at.number_input(key="batch_concurrency").set_value(1).run()
    if temperature is not None:
        at.slider(key="batch_temperature").set_value(temperature).run()
    assert not at.button(key="batch_run").disabled, _texts(at)
    at.button(key="batch_run").click().run()
    assert not at.exception


def test_a_batch_cut_short_is_reopened_after_a_restart_and_resumed_asking_only_the_rest(
    batch_page, echo, history_file
):
    echo.add_fault(Fault(kind="slow", ttft_s=0.3, times=None))
    at = batch_page()
    run(at, *THREE)
    live = at.session_state["batch"]
    while not live.view().runs:
        live.wait(0.05)
    live.cancel()  # as good as the process going away: the rest was never asked
    finish(at)
    batch_id = live.batch_id
    asked = len(chats(echo))
    answered = len(live.view().runs)
    assert answered < 6

    live_batches._RUNNING.clear()  # the app restarted: nothing of it is left in memory
    echo.clear_faults()
    fresh = batch_page()  # a new session: the tab was closed
    assert "batch" not in fresh.session_state
    fresh.selectbox(key="batch_earlier").set_value(batch_id).run()
    fresh.button(key="batch_open").click().run()
    assert _shows(fresh, f"batch `{batch_id}`")
    assert fresh.button(key="batch_resume").label == f"Resume: ask the {6 - answered} missing"
    fresh.button(key="batch_resume").click().run()
    finish(fresh)
    assert len(chats(echo)) == asked + 6 - answered
    with HistoryStore(history_file) as store:
        runs = store.batch_runs(batch_id)
    assert len(runs) == 6
    assert len({(run.item_index, run.model) for run in runs}) == 6
    assert "batch_resume" not in {button.key for button in fresh.button}


def test_the_cache_serves_a_repeat_at_temperature_zero_unless_switched_off(batch_page, echo):
    at = batch_page()
    run(at, *THREE[:2], temperature=0.0)
    finish(at)
    asked = len(chats(echo))
    assert asked == 4
    at.button(key="batch_run").click().run()
    finish(at)
    assert len(chats(echo)) == asked  # every answer came from the history
    assert all(run.cached for run in at.session_state["batch"].view().runs.values())
    at.toggle(key="batch_cache").set_value(False).run()
    at.button(key="batch_run").click().run()
    finish(at)
    assert len(chats(echo)) == asked + 4


def test_scores_show_intervals_and_the_scored_downloads_are_offered(batch_page, echo):
    at = batch_page()
    table = "image,expected,tag\n0.png,echo backend,ocr\n1.png,no such words,ocr\n"
    at.file_uploader(key="batch_table").set_value(("t.csv", table.encode(), "text/csv")).run()
    run(at, *THREE[:2])
    finish(at)
    rates = table_with(at, "95% interval")
    assert list(rates["95% interval"]) == ["9% – 91%", "9% – 91%"]
    assert _shows(at, "not distinguishable with 2 items")
    keys = {button.key for button in at.get("download_button")}
    assert {"batch_items_csv", "batch_items_jsonl", "batch_report"} <= keys


def test_in_team_mode_the_page_queues_the_batch_and_shows_the_workers_progress(
    echo, team_database, team_batch_page
):
    import threading

    from vision.api.client import VisionClient
    from vision.batch.queue.worker import BatchWorker

    at = team_batch_page
    run(at, *THREE)
    queued = at.session_state["batch"]
    assert not chats(echo)  # the page asked nothing itself
    with HistoryStore(url=team_database, workspace=workspace_for(ISSUER, ALICE["sub"])) as store:
        assert store.chunk_counts(queued.batch_id)["queued"] == 1
        worker = BatchWorker(store, lambda: VisionClient(echo.base_url, ECHO_API_KEY))
        assert worker.run(threading.Event(), until_idle=True) == 1
    finish(at)
    assert len(chats(echo)) == 6
    assert _shows(at, f"batch `{queued.batch_id}`")
    assert _shows(at, "6 answered")


OFFER = "A new or reloaded tab starts with no batch on screen"


def _offer(at: AppTest) -> list[str]:
    return [text for text in _texts(at) if OFFER in text]


def test_a_new_tab_offers_the_newest_batch_by_name_and_opens_it_with_its_answers(batch_page):
    at = batch_page()
    assert not _offer(at)  # nothing kept yet: nothing offered
    at.text_area(key="batch_prompt").set_value("Read the receipt total").run()
    run(at, *THREE[:2])
    finish(at)
    batch_id = at.session_state["batch"].batch_id
    assert not _offer(at)

    fresh = batch_page()  # a new tab
    (offer,) = _offer(fresh)
    assert "· “Read the receipt total” ·" in offer
    assert batch_id not in offer
    fresh.button(key="batch_open_last").click().run()
    assert not fresh.exception
    assert any(text.endswith(f"answered · batch `{batch_id}`") for text in _texts(fresh))
    assert not _offer(fresh)


def test_the_offer_once_dismissed_stays_away_for_the_session(batch_page):
    at = batch_page()
    run(at, THREE[0])
    finish(at)
    fresh = batch_page()
    assert _offer(fresh)
    fresh.button(key="batch_offer_dismiss").click().run()
    fresh.switch_page("ui/pages/history.py").run()
    fresh.switch_page("ui/pages/batch.py").run()
    assert not fresh.exception
    assert not _offer(fresh)
    assert "batch_open_last" not in [button.key for button in fresh.button]
    assert fresh.selectbox(key="batch_earlier").options  # still under Earlier batches
