"""The Batch page with a reasoning model, through AppTest against the echo: the effort offered
only when a chosen model reasons, a sentence naming the models that do not get it, the runs it
makes, and a sweep of efforts."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN, REASONING
from tests.support.pages import TIMEOUT_S, shows as _shows, table_with, texts as _texts
from vision.history.store import HistoryStore

EFFORT = "batch_reasoning_effort"


def _png(name: str, side: int) -> tuple[str, bytes, str]:
    return (name, make_image("PNG", (side, side)), "image/png")


def _efforts(at: AppTest) -> list[str]:
    return [box.key for box in at.selectbox if box.key == EFFORT]


def test_the_effort_is_offered_only_when_a_chosen_model_reasons(batch_page):
    at = batch_page()
    at.multiselect(key="batch_models").set_value([QWEN, LLAMA]).run()
    assert _efforts(at) == []
    at.multiselect(key="batch_models").set_value([REASONING, QWEN]).run()
    assert _efforts(at) == [EFFORT]
    assert at.selectbox(key=EFFORT).value == "default"
    assert not _shows(at, "not a reasoning model")  # nothing chosen yet: nothing to say
    at.selectbox(key=EFFORT).set_value("high").run()
    assert not at.exception
    assert _shows(
        at,
        "Qwen2-VL-7B-Instruct is not a reasoning model, so the high reasoning effort is not "
        "sent to it.",
    )


def test_a_batch_sends_the_effort_to_the_reasoning_model_only_and_keeps_its_reasoning(
    batch_page, echo, history_file
):
    at = batch_page()
    at.multiselect(key="batch_models").set_value([REASONING, QWEN]).run()
    at.selectbox(key=EFFORT).set_value("low").run()
    at.file_uploader(key="batch_images").set_value([_png("one.png", 40)]).run()
    assert not at.button(key="batch_run").disabled, _texts(at)
    at.button(key="batch_run").click().run()
    live = at.session_state["batch"]
    assert live.wait(TIMEOUT_S), "the batch did not finish"
    at.run()
    assert not at.exception

    sent = {r.body["model"]: r.body.get("reasoning") for r in echo.chat_requests}
    assert sent == {REASONING: {"effort": "low"}, QWEN: None}
    with HistoryStore(history_file) as store:
        runs = {run.model: run for run in store.batch_runs(live.batch_id)}
    assert runs[REASONING].params["reasoning_effort"] == "low"
    assert runs[REASONING].reasoning
    assert "Deliberating at low effort" in runs[REASONING].reasoning
    assert "Deliberating" not in runs[REASONING].answer
    assert (runs[REASONING].usage.reasoning_tokens or 0) > 0
    assert "reasoning_effort" not in runs[QWEN].params
    assert runs[QWEN].reasoning is None
    # The grid shows the reasoning and its count beside the answer, for the model that reasoned.
    grid = table_with(at, "item")
    (row,) = grid.to_dict("records")
    assert row["Kimi-K2.6 · reasoning"] == runs[REASONING].reasoning
    assert row["Kimi-K2.6 · reasoning tokens"] == runs[REASONING].usage.reasoning_tokens
    assert row["Kimi-K2.6 · answer"] == runs[REASONING].answer
    assert "Qwen2-VL-7B-Instruct · reasoning" not in grid.columns


def test_a_sweep_of_efforts_charts_score_against_completion_tokens(batch_page, echo):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value([_png("one.png", 40)]).run()
    at.multiselect(key="batch_models").set_value([QWEN]).run()
    assert "efforts" not in at.radio(key="batch_sweep_kind").options
    at.multiselect(key="batch_models").set_value([REASONING]).run()
    at.radio(key="batch_sweep_kind").set_value("efforts").run()
    at.text_input(key="batch_sweep_values_efforts").set_value("low, high").run()
    assert not at.button(key="batch_sweep_run").disabled, _texts(at)
    at.button(key="batch_sweep_run").click().run()
    assert not at.exception

    points = next(
        frame.value for frame in at.dataframe if "completion tokens per answer" in frame.value
    )
    assert list(points["setting"]) == ["effort low", "effort high"]
    reasoning = list(points["reasoning tokens per answer"])
    assert reasoning[0] < reasoning[1]
    assert [r.body["reasoning"] for r in echo.chat_requests] == [
        {"effort": "low"},
        {"effort": "high"},
    ]
    assert _shows(at, "Reasoning effort sweep")


def test_an_effort_sweep_with_a_model_that_does_not_reason_says_so(batch_page, echo):
    at = batch_page()
    at.file_uploader(key="batch_images").set_value([_png("one.png", 40)]).run()
    at.multiselect(key="batch_models").set_value([REASONING, QWEN]).run()
    at.radio(key="batch_sweep_kind").set_value("efforts").run()
    assert at.button(key="batch_sweep_run").disabled
    assert _shows(at, "Qwen2-VL-7B-Instruct is not a reasoning model: an effort would not change")
    at.text_input(key="batch_sweep_values_efforts").set_value("low, max").run()
    assert _shows(at, "'max' is not one of none, low, medium, high")
    assert echo.chat_requests == []
