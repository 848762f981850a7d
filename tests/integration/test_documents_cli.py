"""Documents and videos asked about from the command line and in a batch, against the echo on
loopback: the pages or frames chosen are what each model receives, at its size."""

from __future__ import annotations

import base64
import io
import json

from PIL import Image

from tests.support.documents import pdf_bytes, report_pdf, second_colour, text_page, video_bytes
from tests.support.images import make_photo
from tests.support.models import LLAMA, QWEN
from vision.cli.main import main
from vision.history.store import HistoryStore
from vision.images.documents.choice import even_times
from vision.values.image import clock


def sent_images(echo, index: int = -1) -> list[Image.Image]:
    """The images of one chat request the echo received, decoded."""
    body = echo.chat_requests[index].body
    assert body is not None
    parts = body["messages"][-1]["content"]
    urls = [part["image_url"]["url"] for part in parts if part["type"] == "image_url"]
    return [Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) for url in urls]


def test_ask_about_three_pages_sends_three_images_at_the_models_size(env, echo, capsys):
    (env / "report.pdf").write_bytes(report_pdf(12))
    code = main(["ask", "-m", QWEN, "-i", str(env / "report.pdf"), "--pages", "1-3", "Summarise"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "with 3 images" in captured.out
    images = sent_images(echo)
    assert [image.size for image in images] == [(868, 1120)] * 3
    assert [image.format for image in images] == ["PNG"] * 3


def test_more_pages_than_a_request_takes_sends_ten_and_says_which(env, echo, capsys):
    (env / "long.pdf").write_bytes(report_pdf(24))
    code = main(["ask", "-m", QWEN, "-i", str(env / "long.pdf"), "What is this?"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert len(sent_images(echo)) == 10
    assert "long.pdf: Pages 1–10 were taken, the first 10 of the 24 pages" in captured.err
    assert "such as 11-20" in captured.err


def test_a_videos_frames_stitched_for_llama_are_one_grid_with_their_times(env, echo, capsys):
    (env / "clip.mp4").write_bytes(video_bytes(30))
    code = main(
        [
            "ask",
            "-m",
            LLAMA,
            "-i",
            str(env / "clip.mp4"),
            "--frames",
            "8",
            "--stitch",
            "What happens?",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    (grid,) = sent_images(echo)
    assert grid.size == (1120, 1120)


def test_frames_at_chosen_times_show_those_moments(env, echo, capsys):
    (env / "clip.mp4").write_bytes(video_bytes(30))
    code = main(
        ["ask", "-m", QWEN, "-i", str(env / "clip.mp4"), "--at", "0:05,0:20", "--json", "When?"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    shown = [image["shows"] for image in json.loads(captured.out)["results"][0]["images"]]
    assert shown == ["frame at 0:05 (1 of 2)", "frame at 0:20 (2 of 2)"]
    for image, second in zip(sent_images(echo), (5, 20), strict=True):
        found = image.convert("RGB").getpixel((10, 10))
        assert all(abs(a - b) <= 12 for a, b in zip(found, second_colour(second), strict=True))


def test_a_locked_pdf_fails_with_its_name_and_one_sentence(env, echo, capsys):
    (env / "locked.pdf").write_bytes(pdf_bytes([text_page(1)], password_protected=True))
    code = main(["ask", "-m", QWEN, "-i", str(env / "locked.pdf"), "Read it"])
    captured = capsys.readouterr()
    assert code == 1
    assert "locked.pdf: This PDF is locked with a password" in captured.err
    assert "Traceback" not in captured.err
    assert echo.chat_requests == []


def test_check_lists_the_pages_and_what_each_model_receives(env, capsys):
    (env / "report.pdf").write_bytes(report_pdf(12))
    code = main(
        ["check", str(env / "report.pdf"), "--pages", "2", "--model", QWEN, "--model", LLAMA]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"{env / 'report.pdf'}: a PDF of 12 pages\n  pages 1–12: 1700×2200 px" in out
    assert out.count(f"{env / 'report.pdf'}, page 2 of 12: ok") == 2
    assert "sends image/png 868×1120" in out  # Qwen2-VL's grid at the default budget
    assert "sends image/png 865×1120" in out  # Llama's tile canvas


def test_a_batch_takes_each_page_and_a_videos_frames_and_keeps_which(env, echo, capsys):
    folder = env / "inputs"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(report_pdf(3))
    (folder / "clip.mp4").write_bytes(video_bytes(12))
    (folder / "photo.jpg").write_bytes(make_photo((640, 480)))
    code = main(["eval", "--images", str(folder), "--prompt", "Describe", "-m", QWEN])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    with HistoryStore(env / "history.sqlite3") as store:
        runs = store.batch_runs(store.batch_ids()[0])
    shown = sorted((run.item_name, run.images[0].shows) for run in runs)
    assert shown == [
        ("clip.mp4", "frames at " + ", ".join(clock(time) for time in even_times(12.0, 8))),
        ("photo.jpg", ""),
        ("report.pdf, page 1 of 3", "page 1 of 3"),
        ("report.pdf, page 2 of 3", "page 2 of 3"),
        ("report.pdf, page 3 of 3", "page 3 of 3"),
    ]
    # The video's item is one grid of its frames, each tile labelled with its time.
    (clip,) = [run for run in runs if run.item_name == "clip.mp4"]
    assert [cell.label for cell in clip.images[0].cells][:2] == ["0:00.8", "0:02.2"]


def test_a_docvqa_jsonl_row_names_a_page(env, echo, capsys):
    (env / "doc.pdf").write_bytes(report_pdf(5))
    table = env / "docvqa.jsonl"
    table.write_text(
        json.dumps({"image": "doc.pdf", "page": 4, "question": "Which page?", "answer": "4"}) + "\n"
    )
    report = env / "report.html"
    code = main(["eval", "--images", str(table), "-m", QWEN, "--report", str(report)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    with HistoryStore(env / "history.sqlite3") as store:
        (run,) = store.batch_runs(store.batch_ids()[0])
    assert run.prompt == "Which page?"
    assert run.images[0].shows == "page 4 of 5"
    assert run.item_name == "doc.pdf, page 4"
    # The report's sampled answer says which page its thumbnail is.
    assert '<div class="note">page 4 of 5</div>' in report.read_text()
