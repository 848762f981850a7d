"""`vision eval` over a local folder keeps each photo's path and hash, not a copy, unless told
to (--keep-originals); reopening or rerunning a run reads the file again, checks its hash, and
says in one sentence when it changed or is gone."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ECHO_API_KEY
from vision.api.client import VisionClient
from vision.batch.recorded.spec import BatchSpec
from vision.cli.main import main
from vision.echo import ECHO_MODELS
from vision.errors import HistoryError
from vision.history.replay import rebuild_request, reopen, rerun
from vision.history.store import HistoryStore


def photo(size: tuple[int, int], colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def folder(tmp_path: Path, echo, monkeypatch) -> Path:
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "red.png").write_bytes(photo((640, 480), "red"))
    (photos / "blue.png").write_bytes(photo((500, 500), "blue"))
    return photos


def evaluate(folder: Path, history: Path, *more: str) -> None:
    code = main(
        ["eval", "--images", str(folder), "--prompt", "Name the colour", "--history",
         str(history), "-m", ECHO_MODELS[0], *more]
    )  # fmt: skip
    assert code == 0


def blob_files(history: Path) -> list[Path]:
    folder = history.with_name(history.name + "-blobs")
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def runs_by_item(store: HistoryStore) -> dict[str, object]:
    (batch_id,) = store.batch_ids()
    return {run.item_name: run for run in store.batch_runs(batch_id)}


def test_a_folder_is_evaluated_without_copying_a_photo(folder: Path, tmp_path: Path):
    history = tmp_path / "history.sqlite3"
    evaluate(folder, history)
    assert blob_files(history) == []
    with HistoryStore(history) as store:
        runs = runs_by_item(store)
        for name, run in runs.items():
            found = reopen(store, run)  # type: ignore[arg-type]
            assert [image.data for image in found.images] == [(folder / name).read_bytes()]
            assert found.notes == ()
        assert store.kept_image_bytes() == 0  # a named file takes no room in the history
        (batch_id,) = store.batch_ids()
        spec = store.batch_spec(batch_id)
        assert spec is not None
        assert BatchSpec.from_json(spec[0]).keep_originals is False
    with sqlite3.connect(history) as db:
        rows = db.execute("SELECT stored_in, path, length(data) FROM image_blobs").fetchall()
    assert sorted(rows) == [
        ("file", str(folder / "blue.png"), 0),
        ("file", str(folder / "red.png"), 0),
    ]


def test_a_changed_or_missing_photo_is_said_in_one_sentence(folder: Path, tmp_path: Path, echo):
    history = tmp_path / "history.sqlite3"
    evaluate(folder, history)
    (folder / "red.png").write_bytes(photo((640, 480), "green"))
    (folder / "blue.png").unlink()
    with HistoryStore(history) as store, VisionClient(echo.base_url, ECHO_API_KEY) as client:
        runs = runs_by_item(store)
        changed, gone = runs["red.png"], runs["blue.png"]
        found = reopen(store, changed)  # type: ignore[arg-type]
        assert found.images == ()
        assert found.missing == 1
        assert found.notes == (
            f"Image 1 of this run (red.png): {folder / 'red.png'} has changed since this run was "
            "saved; put the original back, or add the image again on the Playground.",
        )
        with pytest.raises(HistoryError, match=r"red\.png has changed since this run was saved"):
            rebuild_request(changed, store)  # type: ignore[arg-type]
        with pytest.raises(HistoryError, match=r"blue\.png is gone; put it back"):
            rerun(gone, store, client)  # type: ignore[arg-type]
        assert reopen(store, gone).notes == (  # type: ignore[arg-type]
            f"Image 1 of this run (blue.png): {folder / 'blue.png'} is gone; put it back, or "
            "add the image again on the Playground.",
        )
    # Put back as it was: the run reopens again.
    (folder / "red.png").write_bytes(photo((640, 480), "red"))
    with HistoryStore(history) as store:
        assert len(reopen(store, runs_by_item(store)["red.png"]).images) == 1  # type: ignore[arg-type]


def test_keep_originals_copies_each_photo_into_the_history(folder: Path, tmp_path: Path):
    history = tmp_path / "history.sqlite3"
    originals = {path.name: path.read_bytes() for path in folder.iterdir()}
    evaluate(folder, history, "--keep-originals")
    assert sorted(path.read_bytes() for path in blob_files(history)) == sorted(originals.values())
    for path in folder.iterdir():
        path.unlink()  # the folder is gone: the copies still reopen
    with HistoryStore(history) as store:
        for name, run in runs_by_item(store).items():
            assert [image.data for image in reopen(store, run).images] == [originals[name]]  # type: ignore[arg-type]
        assert store.kept_image_bytes() == sum(len(data) for data in originals.values())


def test_a_queued_batch_copies_its_photos(folder: Path, tmp_path: Path, capsys):
    history = tmp_path / "history.sqlite3"
    code = main(
        ["eval", "--images", str(folder), "--history", str(history), "-m", ECHO_MODELS[0],
         "--queue"]
    )  # fmt: skip
    assert code == 0
    batch_id = capsys.readouterr().out.split("Queued batch ", 1)[1].split(":", 1)[0]
    with HistoryStore(history) as store:
        spec = store.batch_spec(batch_id)
        assert spec is not None
        assert BatchSpec.from_json(spec[0]).keep_originals is True
