"""Runs saved by `python -m vision eval` can be reopened and rerun, like the Playground's."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import ECHO_API_KEY
from vision.api.client import VisionClient
from vision.cli.main import main
from vision.echo import ECHO_MODELS
from vision.history.replay import rebuild_request, rerun, run_images
from vision.history.store import HistoryStore


def photo(size: tuple[int, int], colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def evaluated(echo, tmp_path, monkeypatch):
    """A folder of two images evaluated on two echo models; returns the history path and files."""
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    folder = tmp_path / "photos"
    folder.mkdir()
    files = {"red.png": photo((640, 480), "red"), "blue.png": photo((700, 700), "blue")}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    history = tmp_path / "history.sqlite3"
    code = main(
        ["eval", "--images", str(folder), "--prompt", "Name the colour", "--history", str(history),
         "-m", ECHO_MODELS[0], "-m", ECHO_MODELS[1]]
    )  # fmt: skip
    assert code == 0
    return history, files


def test_every_eval_run_keeps_its_original_image_for_reopening(evaluated):
    history, files = evaluated
    with HistoryStore(history) as store:
        (batch_id,) = store.batch_ids()
        runs = store.batch_runs(batch_id)
        assert len(runs) == 4
        for run in runs:
            (kept,) = run_images(store, run)
            assert kept.data == files[run.item_name]


def test_an_eval_run_rebuilds_its_request_and_reruns_into_a_new_run(evaluated, echo):
    history, _ = evaluated
    with HistoryStore(history) as store, VisionClient(echo.base_url, ECHO_API_KEY) as client:
        (batch_id,) = store.batch_ids()
        run = store.batch_runs(batch_id)[0]
        request = rebuild_request(run, store)
        assert (request.model, request.prompt, len(request.images)) == (
            run.model,
            "Name the colour",
            1,
        )
        again = rerun(run, store, client)
        assert again.id != run.id
        assert again.answer
        assert again.error is None
        assert store.get_run(again.id) is not None
