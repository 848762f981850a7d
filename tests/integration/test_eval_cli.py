"""`python -m vision eval` against the echo backend: progress, CSV out, the same history."""

from __future__ import annotations

import csv
import io

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.cli.main import main
from vision.echo import Fault
from vision.history.store import HistoryStore


def write_images(folder, count: int) -> None:
    folder.mkdir()
    for index in range(count):
        (folder / f"img-{index}.png").write_bytes(make_image("PNG", (64 + index, 64)))
    (folder / "notes.txt").write_text("not an image")


def test_a_folder_runs_every_image_with_every_model_into_history_and_csv(env, capsys):
    write_images(env / "imgs", 3)
    out_csv = env / "results.csv"
    code = main(
        ["eval", "--images", str(env / "imgs"), "--prompt", "Describe", "-m", QWEN, "-m", LLAMA,
         "--concurrency", "2", "--out", str(out_csv)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "[6/6]" in captured.err
    assert "Saved to" in captured.out
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert len(rows) == 6
    assert {row["item_name"] for row in rows} == {"img-0.png", "img-1.png", "img-2.png"}
    with HistoryStore(env / "history.sqlite3") as store:
        (batch_id,) = store.batch_ids()
        runs = store.batch_runs(batch_id)
    assert len(runs) == 6
    assert all(run.prompt == "Describe" and run.answer for run in runs)


def test_a_csv_gives_per_image_prompts_expected_answers_and_tags(env, capsys):
    (env / "a.png").write_bytes(make_image("PNG", (80, 60)))
    table = env / "items.csv"
    table.write_text(
        "image,prompt,expected,tag\n"
        "a.png,What colour?,nothing-will-match-this,photo\n"
        "https://example.com/chart.png,,,chart\n"
    )
    code = main(["eval", "--images", str(table), "-m", QWEN, "--prompt", "Default prompt"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "0/1 passed (contains)" in captured.out
    with HistoryStore(env / "history.sqlite3") as store:
        runs = store.batch_runs(store.batch_ids()[0])
    by_tag = {run.tag: run for run in runs}
    assert by_tag["photo"].prompt == "What colour?"
    assert by_tag["photo"].expected == "nothing-will-match-this"
    assert by_tag["chart"].prompt == "Default prompt"
    assert by_tag["chart"].images[0].url == "https://example.com/chart.png"


def test_failures_are_saved_and_the_exit_code_says_so(env, echo, capsys):
    write_images(env / "imgs", 1)
    echo.add_fault(Fault(kind="status", status=400, model=LLAMA, times=None))
    code = main(["eval", "--images", str(env / "imgs"), "-m", QWEN, "-m", LLAMA])
    captured = capsys.readouterr()
    assert code == 1
    assert "failed:" in captured.err
    with HistoryStore(env / "history.sqlite3") as store:
        runs = store.batch_runs(store.batch_ids()[0])
    assert {run.model: run.failed for run in runs} == {QWEN: False, LLAMA: True}


def test_a_missing_folder_is_one_sentence(env, capsys):
    code = main(["eval", "--images", str(env / "nowhere"), "-m", QWEN])
    captured = capsys.readouterr()
    assert code == 1
    assert "neither a folder nor a CSV, JSONL or TSV file" in captured.err
    assert "Traceback" not in captured.err


def test_a_csv_that_is_not_utf8_is_one_sentence_without_codec_details(env, capsys):
    table = env / "images.csv"
    table.write_bytes(b"image\n\xff\xfe bad.png\n")
    code = main(["eval", "--images", str(table), "-m", QWEN])
    captured = capsys.readouterr()
    assert code == 1
    assert "is not UTF-8 text; save it as UTF-8" in captured.err
    assert "codec" not in captured.err
    assert "Traceback" not in captured.err
