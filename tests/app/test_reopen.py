"""Reopening a saved run puts its whole request back on the Playground, for every kind of run:
the prompt, every image with its name, the models and the parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from tests.support.pages import texts
from tests.support.playground_page import answered, send, upload
from vision.cli.main import main
from vision.history.store import HistoryStore
from vision.values.run import RunFilter

RED = ("red.png", make_image("PNG", (600, 600), color=(200, 30, 30)), "image/png")
HARBOUR = ("harbour.jpg", make_photo((800, 600)), "image/jpeg")


def reopen(at: AppTest, history_file: Path, **search: object) -> AppTest:
    """Open History and press Reopen on the newest run matching the search."""
    run = HistoryStore(history_file).search_runs(RunFilter(**search))[0]  # type: ignore[arg-type]
    at.switch_page("ui/pages/history.py").run()
    at.selectbox(key="history_run").set_value(run.id).run()
    at.button(key=f"reopen_{run.id}").click().run()
    assert not at.exception
    return at


def cards(at: AppTest) -> list[str]:
    """The names on the image cards, in order ("**1.** red.png" and so on); with answers on
    screen the cards give way to a strip of thumbnails, named in one line beneath it."""
    strip = [text for text in texts(at) if text.endswith("click a thumbnail to see it large")]
    if strip:
        return [name.split(".** ", 1)[1] for name in strip[0].split(" · ")[:-1]]
    return [
        text.split(".** ", 1)[1]
        for text in texts(at)
        if text.startswith("**") and ".** " in text and text[2:].split(".", 1)[0].isdigit()
    ]


def test_a_run_with_the_same_image_twice_reopens_with_both(app, history_file):
    at = app()
    copy = ("red copy.png", RED[1], "image/png")
    upload(at, RED, copy)
    send(at)
    reopen(at, history_file, model=QWEN)
    assert cards(at) == ["red.png", "red copy.png"]


def test_a_follow_up_turn_reopens_with_its_prompt_and_every_image_of_its_conversation(
    app, history_file
):
    at = app()
    upload(at, RED)
    send(at)
    box = at.chat_input(key="follow_up")
    box.upload(*HARBOUR)
    box.set_value("And this one?").run()
    answered(at)
    reopen(at, history_file, model=QWEN, kind="turn")
    assert at.text_area(key="prompt").value == "And this one?"
    assert cards(at) == ["red.png", "harbour.jpg"]
    assert at.multiselect(key="models").value == [QWEN, LLAMA]


def test_a_stitched_llama_run_reopens_with_the_pictures_it_was_made_of(app, history_file):
    at = app()
    upload(at, RED, HARBOUR)
    assert at.radio(key="llama_images").value == "stitch"
    send(at)
    reopen(at, history_file, model=LLAMA)
    assert cards(at) == ["red.png", "harbour.jpg"]
    assert at.text_area(key="prompt").value == "What is in this image?"


@pytest.mark.parametrize("model", [QWEN, LLAMA])
def test_the_parameters_and_prompt_come_back_as_they_were_sent(app, history_file, model):
    at = app()
    upload(at, RED)
    at.text_area(key="prompt").set_value("Name the colour in one word.").run()
    at.text_area(key="system_prompt").set_value("Be terse.").run()
    at.slider(key="temperature").set_value(0.2).run()
    at.number_input(key="max_tokens").set_value(80).run()
    send(at)
    at.text_area(key="system_prompt").set_value("Something else.").run()
    reopen(at, history_file, model=model)
    assert at.text_area(key="prompt").value == "Name the colour in one word."
    assert at.text_area(key="system_prompt").value == "Be terse."
    assert at.slider(key="temperature").value == pytest.approx(0.2)
    assert at.number_input(key="max_tokens").value == 80


def test_a_photo_changed_since_its_evaluation_is_said_on_the_playground(
    app, history_file, tmp_path, echo, monkeypatch
):
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "red.png").write_bytes(RED[1])
    code = main(["eval", "--images", str(folder), "--history", str(history_file), "-m", QWEN])
    assert code == 0
    (folder / "red.png").write_bytes(HARBOUR[1])  # not the photo that was evaluated
    at = reopen(app(), history_file, model=QWEN)
    assert cards(at) == []
    (warning,) = [element.value for element in at.warning]
    assert warning == (
        f"Image 1 of this run (red.png): {folder / 'red.png'} has changed since this run was "
        "saved; put the original back, or add the image again on the Playground."
    )
    at.run()  # said once
    assert not at.warning
