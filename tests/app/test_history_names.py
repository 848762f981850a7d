"""History and the Batch page in plain words (AppTest against the echo): a batch is named by when
it started, what it asked, its models and tag, never by its id alone; the list says what it
shows in plain words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.pages import APP, TIMEOUT_S, shows, table_with
from vision.batch.recorded.spec import BatchSpec
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.images.thumbnail import image_from_prepared
from vision.values.run import Run

BATCH = "0123456789ab"


@pytest.fixture
def kept(history_file: Path) -> dict[str, Run]:
    """A batch of one item on two models (tag ocr), a two-turn conversation, and a lone run
    with a kept image."""
    data = make_image("PNG", (64, 48))
    prepared = prepare_image(data, filename="receipt.png", model=LLAMA)
    spec = BatchSpec(
        source="kept", prompt="Read the receipt total", models=(QWEN, LLAMA), tag="ocr"
    )
    with HistoryStore(history_file) as store:
        before = datetime.now(UTC)
        store.save_batch(BATCH, spec.to_json(), state="done")
        after = datetime.now(UTC)
        store.save_image_bytes(prepared.source_sha256, data)
        found = {
            f"batch {model}": store.save_run(
                Run(
                    created_at=datetime(2026, 4, 2, 10, 0, tzinfo=UTC),
                    prompt="Read the receipt total",
                    model=model,
                    answer="42 EUR",
                    batch_id=BATCH,
                    item_index=0,
                    item_name="receipt.png",
                    tag="ocr",
                )
            )
            for model in (QWEN, LLAMA)
        }
        for turn, prompt in enumerate(("What is this?", "And its colour?")):
            found[f"turn {turn}"] = store.save_run(
                Run(
                    created_at=datetime(2026, 4, 3, 9, turn, tzinfo=UTC),
                    prompt=prompt,
                    model=QWEN,
                    answer="A cup." if turn == 0 else "Red.",
                    conversation_id="c0ffee00c0ffee00",
                )
            )
        found["lone"] = store.save_run(
            Run(
                created_at=datetime(2026, 4, 4, 8, 0, tzinfo=UTC),
                prompt="Read the receipt total",
                model=LLAMA,
                answer="The total is 42 EUR.",
                images=(image_from_prepared(prepared),),
            )
        )
    # The batch is named by the minute it was kept in.
    found["batch started"] = Run(prompt="", model="", created_at=before)
    found["batch kept"] = Run(prompt="", model="", created_at=after)
    return found


def _minutes(kept: dict[str, Run]) -> set[str]:
    return {f"{kept[when].created_at:%Y-%m-%d %H:%M}" for when in ("batch started", "batch kept")}


@pytest.fixture
def history(
    echo: EchoServer, monkeypatch: pytest.MonkeyPatch, kept: dict[str, Run]
) -> Callable[[], AppTest]:
    def start() -> AppTest:
        monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
        monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
        at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}
        at.run()
        at.switch_page("ui/pages/history.py").run()
        assert not at.exception
        return at

    return start


def _table(at: AppTest) -> Any:
    return table_with(at, "run")


def test_the_list_names_batches_and_conversations_in_words(history, kept):
    at = history()
    asked_in = dict(zip(_table(at)["run"], _table(at)["asked in"], strict=True))
    (batch_name,) = {
        f"batch of {started} · “Read the receipt total” · Qwen2-VL-7B, Llama-3.2-90B-Vision · "
        "tag ocr"
        for started in _minutes(kept)
    } & {asked_in[kept[f"batch {QWEN}"].id]}
    assert asked_in[kept[f"batch {LLAMA}"].id] == batch_name
    assert asked_in[kept["turn 0"].id] == "conversation from 2026-04-03 09:00"
    assert asked_in[kept["turn 1"].id] == "conversation from 2026-04-03 09:00"
    assert asked_in[kept["lone"].id] == ""
    assert not any(BATCH in str(value) for value in asked_in.values())
    assert shows(
        at,
        "Answers 1–5 of 5, newest first. The answers of one conversation, or of one batch, are "
        "listed next to each other.",
    )
    assert not shows(at, "each conversation's and batch's together")
    assert "Export these 5 answers" in [expander.label for expander in at.expander]
    at.selectbox(key="history_run").set_value(kept[f"batch {QWEN}"].id).run()
    assert shows(at, batch_name)
    assert at.selectbox(key="history_batch").options == [batch_name]


def test_earlier_batches_are_named_by_date_prompt_models_and_tag(batch_page, kept):
    at = batch_page()
    (label,) = at.selectbox(key="batch_earlier").options
    assert label in {
        f"{started} · “Read the receipt total” · Qwen2-VL-7B, Llama-3.2-90B-Vision · tag ocr · done"
        for started in _minutes(kept)
    }
    assert at.button(key="batch_open")
    assert shows(at, f"Batch id `{BATCH}`")
