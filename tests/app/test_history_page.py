"""The History page driven through AppTest: search, filters, delete, rerun, reopen, exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import PIL.Image
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
from tests.support.playground_page import LIVE_KEY
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.images.thumbnail import image_from_prepared
from vision.values.result import Usage
from vision.values.run import Run, RunImage


def _shown_runs(at: AppTest) -> set[int]:
    """The ids of the runs listed in the page's table."""
    tables = [frame.value for frame in at.dataframe if "run" in frame.value.columns]
    return {int(run_id) for table in tables for run_id in table["run"]}


def _select(at: AppTest, run_id: int) -> None:
    """Show this run in full, as a click on its row does."""
    at.selectbox(key="history_run").set_value(run_id).run()
    assert not at.exception


@pytest.fixture
def seeded(history_file: Path) -> dict[str, Run]:
    """Three runs: an OCR answer with a kept image, a chart answer, and a failed run."""
    data = make_image("PNG", (64, 48))
    prepared = prepare_image(data, filename="receipt.png", model=LLAMA)
    with HistoryStore(history_file) as store:
        store.save_image_bytes(prepared.source_sha256, data)
        return {
            "ocr": store.save_run(
                Run(
                    created_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
                    prompt="Read the receipt total",
                    model=LLAMA,
                    answer="The total is 42 EUR.",
                    usage=Usage(prompt_tokens=1690, completion_tokens=10, total_tokens=1700),
                    latency_s=1.25,
                    tag="ocr",
                    images=(image_from_prepared(prepared),),
                )
            ),
            "chart": store.save_run(
                Run(
                    created_at=datetime(2026, 2, 10, 14, 0, tzinfo=UTC),
                    prompt="Describe the chart",
                    model=QWEN,
                    answer="A bar chart of monthly sales.",
                    tag="chart",
                )
            ),
            "failed": store.save_run(
                Run(
                    created_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
                    prompt="Which animal is this?",
                    model=QWEN,
                    error="The API took too long to answer; try again.",
                    complete=False,
                )
            ),
        }


@pytest.fixture
def history_page(
    echo: EchoServer, history_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., AppTest]:
    def start(key: str = ECHO_API_KEY) -> AppTest:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
        monkeypatch.setenv("IOINTELLIGENCE_API_KEY", key)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}
        at.run()
        at.switch_page("ui/pages/history.py").run()
        assert not at.exception
        return at

    return start


def test_every_saved_run_is_listed_newest_first_with_answer_usage_and_thumbnail(
    history_page, seeded
):
    at = history_page()
    assert _shown_runs(at) == {run.id for run in seeded.values()}
    assert [error.value for error in at.error] == ["The API took too long to answer; try again."]
    cards = [m.value for m in at.markdown if "· run " in m.value.replace("\\", "")]
    assert "run " + str(seeded["failed"].id) in cards[0].replace("\\", "")  # the newest, in full
    _select(at, seeded["ocr"].id)
    assert _shows(at, "The total is 42 EUR")
    assert _shows(at, "1690 prompt + 10 completion = 1700 tokens")
    assert "data:image/jpeg;base64," in _page_dump(at)  # the OCR run's thumbnail


def test_search_and_filters_narrow_the_list(history_page, seeded):
    at = history_page()
    at.text_input(key="history_text").set_value("monthly").run()
    assert _shown_runs(at) == {seeded["chart"].id}

    at.text_input(key="history_text").set_value("").run()
    at.selectbox(key="history_model").set_value(QWEN).run()
    assert _shown_runs(at) == {seeded["chart"].id, seeded["failed"].id}

    at.selectbox(key="history_model").set_value("All").run()
    at.selectbox(key="history_tag").set_value("ocr").run()
    assert _shown_runs(at) == {seeded["ocr"].id}

    at.selectbox(key="history_tag").set_value("All").run()
    at.date_input(key="history_dates").set_value((date(2026, 2, 1), date(2026, 3, 1))).run()
    assert _shown_runs(at) == {seeded["chart"].id, seeded["failed"].id}

    at.text_input(key="history_text").set_value("no such words").run()
    assert not _shown_runs(at)
    assert _shows(at, "No saved answers match")


def test_delete_removes_the_run_from_the_page_and_the_file(history_page, seeded, history_file):
    at = history_page()
    target = seeded["chart"].id
    _select(at, target)
    at.button(key=f"delete_{target}").click().run()
    assert not at.exception
    assert target not in _shown_runs(at)
    assert _shows(at, f"Run {target} deleted")
    with HistoryStore(history_file) as store:
        assert store.get_run(target) is None
        assert store.get_run(seeded["ocr"].id) is not None


def _rerun_done(at: AppTest) -> None:
    """Wait for a rerun's answer, then look at the Playground, where it streamed."""
    assert at.session_state[LIVE_KEY].wait(30)
    at.switch_page("ui/pages/playground.py").run()
    assert not at.exception


def test_rerun_sends_the_same_request_again_and_saves_a_new_run(
    history_page, seeded, echo, history_file
):
    at = history_page()
    _select(at, seeded["ocr"].id)
    at.button(key=f"rerun_{seeded['ocr'].id}").click().run()
    assert not at.exception
    # The rerun streams on the Playground beside the kept run, then it is in the History.
    _rerun_done(at)
    chats = [r for r in echo.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 1
    body = chats[0].body
    assert body["model"] == LLAMA
    content = body["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "Read the receipt total"}
    assert content[1]["image_url"]["url"].startswith("data:image/")
    with HistoryStore(history_file) as store:
        newest = store.search_runs(limit=1)[0]
    assert newest.id not in {run.id for run in seeded.values()}
    assert newest.prompt == "Read the receipt total"
    assert "echo backend" in newest.answer
    assert newest.tag == "ocr"
    assert _shows(at, f"Rerun saved as run {newest.id}")
    at.switch_page("ui/pages/history.py").run()
    assert newest.id in _shown_runs(at)


def test_reopen_puts_the_prompt_model_and_image_back_on_the_playground(history_page, seeded):
    at = history_page()
    _select(at, seeded["ocr"].id)
    at.button(key=f"reopen_{seeded['ocr'].id}").click().run()
    assert not at.exception
    assert at.text_area(key="prompt").value == "Read the receipt total"
    assert at.multiselect(key="models").value == [LLAMA]
    assert at.button(key="send")  # on the Playground now
    assert any("64×48" in text or "64 × 48" in text for text in _texts(at)), _texts(at)
    assert not at.button(key="send").disabled


def test_export_and_copy_as_code_use_the_placeholder_never_the_key(
    echo, history_file, seeded, monkeypatch
):
    sentinel = "sk-SENTINEL-history-9191"
    with EchoServer(api_key=sentinel) as server:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", server.base_url)
        monkeypatch.setenv("IOINTELLIGENCE_API_KEY", sentinel)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}
        at.run()
        at.switch_page("ui/pages/history.py").run()
        _select(at, seeded["ocr"].id)
        at.button(key=f"rerun_{seeded['ocr'].id}").click().run()
        _rerun_done(at)
        at.switch_page("ui/pages/history.py").run()
        _select(at, seeded["ocr"].id)  # the rerun is now the newest
        at.toggle(key=f"more_{seeded['ocr'].id}").set_value(True).run()
    assert not at.exception
    snippets = [block.value for block in at.code]
    assert len(snippets) == 2
    curl, python = snippets
    assert "$IOINTELLIGENCE_API_KEY" in curl
    assert 'os.environ["IOINTELLIGENCE_API_KEY"]' in python
    assert "Read the receipt total" in curl
    assert "image-1.png" in curl  # the image travels as a file next to the code
    assert sentinel not in _page_dump(at)


def test_a_rerun_with_nothing_new_opens_no_image(history_page, seeded, monkeypatch):
    at = history_page()
    _select(at, seeded["ocr"].id)
    at.toggle(key=f"more_{seeded['ocr'].id}").set_value(True).run()
    assert len(at.code) == 2
    opened: list[object] = []
    real_open = PIL.Image.open

    def counting_open(*args: Any, **kwargs: Any) -> Any:
        opened.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(PIL.Image, "open", counting_open)
    at.run()
    at.run()
    assert not at.exception
    assert len(at.code) == 2  # the code is still shown, made once rather than per rerun
    assert "data:image/jpeg;base64," in _page_dump(at)  # so is the thumbnail
    assert opened == []


def test_a_deleted_run_can_be_brought_back_and_no_id_is_reused(history_page, seeded, history_file):
    at = history_page()
    target = seeded["chart"].id
    _select(at, target)
    at.button(key=f"delete_{target}").click().run()
    assert target not in _shown_runs(at)
    at.button(key=f"undo_{target}").click().run()
    assert not at.exception
    assert target in _shown_runs(at)
    assert _shows(at, f"Run {target} is back")
    with HistoryStore(history_file) as store:
        newest = max(run.id for run in seeded.values())
        assert store.save_run(Run(prompt="p", model=QWEN)).id == newest + 1


def test_the_list_is_a_table_a_page_at_a_time_and_finds_file_names(history_file, history_page):
    with HistoryStore(history_file) as store:
        for index in range(60):
            store.save_run(
                Run(
                    prompt=f"question {index}",
                    model=QWEN,
                    answer="ok",
                    images=(RunImage(sha256=f"{index:064d}", name=f"scan-{index:02d}.png"),),
                )
            )
    at = history_page()
    assert len(_shown_runs(at)) == 25
    assert _shows(at, "Answers 1–25 of 60, newest first.")
    assert not _shows(at, "Narrow the search")
    at.text_input(key="history_text").set_value("scan-07").run()
    assert len(_shown_runs(at)) == 1
    assert _shows(at, "Answers 1–1 of 1, newest first.")
