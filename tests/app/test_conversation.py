"""The Playground as an evaluation workspace: history saving, follow-ups, earlier runs, diff,
exports, and a history that cannot be written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import (
    APP,
    TIMEOUT_S,
    page_dump as _page_dump,
    shows as _shows,
    texts as _texts,
)
from tests.support.playground_page import answered
from vision.echo import EchoServer
from vision.export.runs import export_csv, export_json, export_markdown
from vision.history.store import HistoryStore
from vision.values.run import RunFilter

FIRST_PROMPT = "What is in this image?"


@pytest.fixture
def playground(echo: EchoServer, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Start the page against a running echo (the shared one unless another is given)."""

    def start(server: EchoServer = echo, key: str = ECHO_API_KEY) -> AppTest:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", server.base_url)
        monkeypatch.setenv("IOINTELLIGENCE_API_KEY", key)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}
        at.run()
        assert not at.exception
        return at

    return start


def _send_one_image(at: AppTest, colour: tuple[int, int, int] = (200, 30, 30)) -> None:
    image = make_image("PNG", (600, 600), color=colour)
    at.file_uploader(key="images").set_value([("square.png", image, "image/png")]).run()
    assert not at.button(key="send").disabled, _texts(at)
    at.button(key="send").click().run()
    answered(at)
    assert not at.exception


def _ask(at: AppTest, text: str, *files: tuple[str, bytes, str]) -> None:
    box = at.chat_input(key="follow_up")
    for name, data, mime in files:
        box.upload(name, data, mime)
    box.set_value(text).run()
    answered(at)
    assert not at.exception


def test_a_send_saves_one_run_per_model_with_images_usage_and_timings(playground, history_file):
    at = playground()
    _send_one_image(at)

    runs = HistoryStore(history_file).search_runs()
    assert sorted(run.model for run in runs) == sorted([LLAMA, QWEN])
    assert len({run.conversation_id for run in runs}) == 1
    for run in runs:
        assert run.kind == "single"
        assert run.prompt == FIRST_PROMPT
        assert run.system == "You are an AI assistant."
        assert f"{run.model} received the prompt" in run.answer
        assert run.usage.total_tokens
        assert run.usage.prompt_tokens
        assert run.usage.completion_tokens
        assert run.latency_s is not None
        assert run.ttft_s is not None
        assert run.finish_reason == "stop"
        assert run.error is None
        [image] = run.images
        assert len(image.sha256) == 64
        assert image.thumbnail.startswith(b"\xff\xd8")  # a small JPEG
        assert isinstance(image.steps, tuple)
    assert ECHO_API_KEY.encode() not in history_file.read_bytes()


def test_a_follow_up_sends_each_model_its_own_earlier_turn_and_image(
    playground, echo, history_file
):
    at = playground()
    _send_one_image(at)
    _ask(at, "And what colour is it?", ("blue.png", make_image("PNG", (500, 500)), "image/png"))

    follow_ups = echo.chat_requests[2:]
    assert sorted(request.body["model"] for request in follow_ups) == sorted([LLAMA, QWEN])
    for request in follow_ups:
        model = request.body["model"]
        other = QWEN if model == LLAMA else LLAMA
        system, first, answer, latest = request.body["messages"]
        assert system["role"] == "system"
        assert first["role"] == "user"
        assert first["content"][0]["text"] == FIRST_PROMPT
        assert [part["type"] for part in first["content"]] == ["text", "image_url"]
        assert answer["role"] == "assistant"
        assert f"{model} received the prompt" in answer["content"]
        assert other not in answer["content"]  # its own answer, not the other model's
        assert latest["content"][0]["text"] == "And what colour is it?"
        assert [part["type"] for part in latest["content"]] == ["text", "image_url"]

    assert _shows(at, "And what colour is it?")
    assert _shows(at, "received the prompt “And what colour is it?” with 2 images")
    turns = HistoryStore(history_file).search_runs(RunFilter(kind="turn"))
    singles = HistoryStore(history_file).search_runs(RunFilter(kind="single"))
    assert len(turns) == 2
    assert len(singles) == 2
    assert {run.conversation_id for run in turns} == {run.conversation_id for run in singles}


def test_a_follow_up_past_ten_images_says_so_and_sends_nothing(playground, echo):
    at = playground()
    files = [
        (f"img{i}.png", make_image("PNG", (64, 64), color=(i * 20, 0, 0)), "image/png")
        for i in range(9)
    ]
    at.file_uploader(key="images").set_value(files).run()
    at.button(key="send").click().run()
    answered(at)
    sent = len(echo.chat_requests)

    _ask(
        at,
        "Compare with these",
        *[(f"x{i}.png", data, mime) for i, (_, data, mime) in enumerate(files[:2])],
    )

    assert len(echo.chat_requests) == sent
    assert any("already carries 9 images" in error.value for error in at.error), _texts(at)


def test_earlier_answers_stay_beside_new_ones_and_the_diff_shows_on_demand(playground, echo):
    at = playground()
    _send_one_image(at)
    at.text_area(key="prompt").set_value("Describe the colours.").run()
    at.button(key="send").click().run()
    answered(at)
    assert not at.exception

    assert _shows(at, "Earlier runs of Llama-3.2-90B-Vision")
    assert _shows(at, "Earlier runs of Qwen2-VL-7B")
    assert _shows(at, f"{QWEN} received the prompt “{FIRST_PROMPT}”")
    assert _shows(at, f"{QWEN} received the prompt “Describe the colours.”")

    at.toggle(key="diff_on").set_value(True).run()
    assert not at.exception
    # By default the two models on the newest prompt; pick Qwen's two prompts instead.
    a, b = at.selectbox(key="diff_a"), at.selectbox(key="diff_b")
    qwen = [option for option in a.options if option.startswith("Qwen2-VL-7B")]
    b.set_value(b.options[a.options.index(qwen[0])])  # Qwen on the newest prompt
    a.set_value(a.options[a.options.index(qwen[1])]).run()  # Qwen on the first prompt
    diffs = [element.value for element in at.markdown if "<del" in element.value]
    assert len(diffs) == 1
    assert "image?</del>" in diffs[0]  # the earlier prompt's words, struck out
    assert "<ins" in diffs[0]
    assert "colours" in diffs[0]
    assert _shows(at, "alike, word by word")


def test_exports_and_code_never_contain_the_key(playground, monkeypatch, history_file):
    sentinel = "sk-SENTINEL-playground-4242"
    with EchoServer(api_key=sentinel) as server:
        at = playground(server, sentinel)
        _send_one_image(at)
        _ask(at, "Anything else?")
        at.toggle(key="show_code").set_value(True).run()
        assert not at.exception

        code = [element.value for element in at.code]
        assert len(code) == 2  # curl and Python
        assert all("IOINTELLIGENCE_API_KEY" in snippet for snippet in code)
        assert all("Anything else?" in snippet for snippet in code)  # the exact follow-up
        runs = at.session_state["conversation"].runs()
        assert len(runs) == 4
        exports = [export_json(runs), export_markdown(runs), export_csv(runs)]
        assert all("Anything else?" in text for text in exports)
        for text in [*code, *exports, _page_dump(at), history_file.read_text("latin-1")]:
            assert sentinel not in text


def test_a_history_that_cannot_be_written_warns_once_and_keeps_the_answers(
    playground, tmp_path, monkeypatch
):
    monkeypatch.setenv("VISION_HISTORY_PATH", str(tmp_path))  # a directory, not a file
    at = playground()
    _send_one_image(at)

    warnings = [w.value for w in at.warning if "Not saved to the history" in w.value]
    assert len(warnings) == 1
    assert "VISION_HISTORY_PATH" in warnings[0]
    assert _shows(at, f"{LLAMA} received the prompt")
    assert _shows(at, f"{QWEN} received the prompt")


def test_reopening_a_saved_run_retires_the_answers_to_earlier_runs(playground, history_file):
    at = playground()
    _send_one_image(at)
    [saved] = HistoryStore(history_file).search_runs(RunFilter(model=QWEN))

    at.switch_page("ui/pages/history.py").run()
    at.selectbox(key="history_run").set_value(saved.id).run()
    at.button(key=f"reopen_{saved.id}").click().run()
    assert not at.exception
    # The models asked that question come back, the reopened answer's first.
    assert at.multiselect(key="models").value == [QWEN, LLAMA]
    assert _shows(at, "Earlier runs of Qwen2-VL-7B")
    assert not at.chat_input  # no conversation to continue until the next Send


def test_the_diff_first_compares_the_two_models_on_the_newest_prompt(playground):
    at = playground()
    _send_one_image(at)
    at.text_area(key="prompt").set_value("Describe the colours.").run()
    at.button(key="send").click().run()
    answered(at)
    at.toggle(key="diff_on").set_value(True).run()
    a, b = at.selectbox(key="diff_a").value, at.selectbox(key="diff_b").value
    labels = at.selectbox(key="diff_a").format_func
    assert "Describe the colours." in labels(a)
    assert "Describe the colours." in labels(b)
    assert {labels(a).split(" · ")[0], labels(b).split(" · ")[0]} == {
        "Llama-3.2-90B-Vision",
        "Qwen2-VL-7B",
    }
