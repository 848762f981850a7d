"""Nothing lost, nothing hidden on the Playground (AppTest against the echo): uploads stay
through a visit to another page; a tab that starts empty points to the History and reopens the
newest run with its answers; Reopen shows the run as it was; Rerun shows the new answer beside
the old; every card can be removed, a reopened one and a URL one included; a size the app chose
is said, never warned about."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.image_server import serve_images
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from tests.support.pages import APP, TIMEOUT_S, shows, texts
from tests.support.playground_page import LIVE_KEY, answered, send, upload
from vision.history.store import HistoryStore
from vision.values.run import RunFilter

RED = ("red.png", make_image("PNG", (600, 600), color=(200, 30, 30)), "image/png")


def _card_names(at: AppTest) -> list[str]:
    return [text.split(".** ", 1)[1] for text in texts(at) if text.startswith("**1.** ")]


def _answers(at: AppTest) -> list[str]:
    return [column.text for column in at.session_state["conversation"].latest.columns()]


def test_uploads_stay_on_the_page_through_a_visit_to_another_page(app, echo):
    at = app()
    upload(at, RED)
    at.switch_page("ui/pages/history.py").run()
    at.switch_page("ui/pages/playground.py").run()
    assert not at.exception
    assert _card_names(at) == ["red.png"]
    send(at)
    body = echo.chat_requests[-1].body
    assert [part["type"] for part in body["messages"][-1]["content"]] == ["text", "image_url"]


def test_a_new_tab_points_to_the_history_and_reopens_the_newest_run_with_its_answers(
    app, history_file
):
    first = app()
    upload(first, RED)
    send(first)
    kept = _answers(first)

    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT_S)  # a reload: a new session
    fresh.secrets["app"] = {"note": "no key here"}
    fresh.run()
    assert shows(fresh, "A new or reloaded tab starts empty; every answer is kept on the History")
    fresh.button(key="reopen_last").click().run()
    answered(fresh)
    assert not fresh.exception
    assert sorted(_answers(fresh)) == sorted(kept)
    assert fresh.multiselect(key="models").value in ([LLAMA, QWEN], [QWEN, LLAMA])
    assert not shows(fresh, "A new or reloaded tab starts empty")


def test_reopen_shows_the_answers_given_with_that_run_not_other_runs(app, history_file):
    at = app()
    upload(at, RED)
    at.text_area(key="prompt").set_value("Name the colour.").run()
    send(at)
    at.text_area(key="prompt").set_value("Something else entirely.").run()
    send(at)
    asked = HistoryStore(history_file).search_runs(RunFilter(text="Name the colour", model=QWEN))
    at.switch_page("ui/pages/history.py").run()
    at.selectbox(key="history_run").set_value(asked[0].id).run()
    at.button(key=f"reopen_{asked[0].id}").click().run()
    answered(at)
    shown = _answers(at)
    assert shown[0] == asked[0].answer  # the reopened answer first, as it was
    assert all("Name the colour." in answer for answer in shown)
    assert shows(at, f"kept · run {asked[0].id}")


def test_rerun_shows_the_new_answer_beside_the_old_one(app, echo, history_file):
    at = app()
    upload(at, RED)
    send(at)
    (old,) = HistoryStore(history_file).search_runs(RunFilter(model=QWEN))
    at.switch_page("ui/pages/history.py").run()
    at.selectbox(key="history_run").set_value(old.id).run()
    at.button(key=f"rerun_{old.id}").click().run()
    assert at.session_state[LIVE_KEY].wait(30)
    at.switch_page("ui/pages/playground.py").run()
    exchange = at.session_state["conversation"].latest
    assert exchange.models == (QWEN, QWEN)
    kept, fresh = exchange.columns()
    assert kept.text == old.answer
    assert fresh.result is not None
    assert echo.chat_requests[-1].body["model"] == QWEN
    newest = HistoryStore(history_file).search_runs(RunFilter(model=QWEN))[0]
    assert shows(at, f"Rerun saved as run {newest.id}, beside run {old.id} as it was.")


def test_a_reopened_card_and_a_url_card_can_be_removed(app, history_file):
    at = app()
    upload(at, RED)
    send(at)
    (run,) = HistoryStore(history_file).search_runs(RunFilter(model=QWEN))
    at.switch_page("ui/pages/history.py").run()
    at.selectbox(key="history_run").set_value(run.id).run()
    at.button(key=f"reopen_{run.id}").click().run()
    at.switch_page("ui/pages/playground.py").run()
    at.toggle(key="cards_open").set_value(True).run()
    reopened = f"remove:camera:history-{run.id}-0"
    at.button(key=reopened).click().run()
    assert not [button for button in at.button if button.key == reopened]
    assert _card_names(at) == []

    with serve_images({"/cat.jpg": (make_photo((700, 600)), "image/jpeg")}) as base:
        at.text_area(key="image_urls").set_value(f"{base}/cat.jpg").run()
        assert _card_names(at) == ["cat.jpg"]
        at.button(key=f"remove:url:{base}/cat.jpg").click().run()
    assert _card_names(at) == []
    assert at.text_area(key="image_urls").value == ""


def test_a_receipt_sent_smaller_for_the_budget_says_so_and_is_not_warned_about(app):
    at = app()
    upload(at, ("receipt.png", make_image("PNG", (600, 2200)), "image/png"))
    assert shows(at, "Sent at 504×1904 to stay within the 1,280-token budget per image")
    assert not [text for text in texts(at) if "under 512 px, below the recommended" in text]


def test_an_empty_history_offers_nothing_to_reopen(app):
    at = app()
    assert not shows(at, "A new or reloaded tab starts empty")
