"""Exports a user would open: JSON, Markdown, CSV, and the copy-as-code snippets."""

from __future__ import annotations

import base64
import csv
import io
import json
import shlex
from datetime import UTC, datetime

import pytest

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.api.payload import build_payload
from vision.export.code import as_curl, as_python
from vision.export.runs import export_csv, export_json, export_markdown
from vision.values.request import ChatRequest, ImageRef, Turn
from vision.values.result import Usage
from vision.values.run import Run, RunImage

SENTINEL_KEY = "sk-SENTINEL-export-0123456789abcdef"
BASE_URL = "https://api.example.test/api/v1"
PNG = make_image("PNG", (16, 16))
JPEG = make_image("JPEG", (20, 10))


def data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def sample_runs() -> list[Run]:
    image = RunImage(
        sha256="ab" * 32,
        source_sha256="cd" * 32,
        mime="image/jpeg",
        width=800,
        height=600,
        steps=("EXIF rotated", "resized 1600×1200 → 800×600"),
        thumbnail=b"\xff\xd8thumb",
    )
    when = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)
    return [
        Run(
            id=1,
            created_at=when,
            kind="batch_item",
            batch_id="b1",
            item_name="receipt.jpg",
            tag="ocr",
            prompt='Read the "total", please,\nthen stop.',
            system="Be brief.",
            params={"temperature": 0.2, "max_tokens": 50},
            model=QWEN,
            answer='=HYPERLINK("http://evil")\nTotal: 12.50',
            usage=Usage(prompt_tokens=100, completion_tokens=8, total_tokens=108),
            latency_s=1.25,
            ttft_s=0.5,
            finish_reason="stop",
            expected="12.50",
            images=(image,),
        ),
        Run(
            id=2,
            created_at=when,
            kind="batch_item",
            batch_id="b1",
            prompt="Read the total",
            model=LLAMA,
            error="The server did not answer within 120 s; try again later.",
            complete=False,
            expected="12.50",
            images=(RunImage(sha256="", url="https://example.com/r.jpg"),),
        ),
    ]


def sample_request() -> ChatRequest:
    return ChatRequest(
        model=QWEN,
        prompt='It\'s a "test" with $HOME, `ticks`, \\ and ünïcode',
        images=(
            ImageRef(url=data_url("image/png", PNG)),
            ImageRef(url="https://example.com/cat.jpg"),
            ImageRef(url=data_url("image/jpeg", JPEG)),
        ),
        temperature=0.2,
        max_tokens=300,
        history=(
            Turn(prompt="first", images=(ImageRef(url=data_url("image/png", PNG)),), answer="ok"),
        ),
    )


def test_json_export_holds_every_fact_but_not_the_thumbnail():
    document = json.loads(export_json(sample_runs(), title="Batch b1"))
    assert document["title"] == "Batch b1"
    first = document["runs"][0]
    assert first["usage"] == {
        "prompt_tokens": 100,
        "completion_tokens": 8,
        "total_tokens": 108,
        "reasoning_tokens": None,
    }
    assert first["images"][0]["steps"] == ["EXIF rotated", "resized 1600×1200 → 800×600"]
    assert first["params"] == {"temperature": 0.2, "max_tokens": 50}
    assert "thumbnail" not in first["images"][0]
    assert document["runs"][1]["error"].startswith("The server did not answer")


def test_markdown_export_shows_model_prompt_answer_and_steps():
    text = export_markdown(sample_runs(), title="Batch b1")
    assert text.startswith("# Batch b1")
    assert f"## 1. {QWEN}" in text
    assert "> then stop." in text
    assert "Total: 12.50" in text
    assert "steps: EXIF rotated; resized 1600×1200 → 800×600" in text
    assert "**Error:** The server did not answer" in text
    assert "100 prompt + 8 completion = 108 tokens" in text


def test_csv_parses_back_with_one_row_per_run_and_a_pass_column():
    rows = list(csv.DictReader(io.StringIO(export_csv(sample_runs()))))
    assert len(rows) == 2
    first, second = rows
    assert first["prompt"] == 'Read the "total", please,\nthen stop.'
    assert first["total_tokens"] == "108"
    assert first["passed"] == "yes"
    assert second["passed"] == "no"
    assert second["image_url"] == "https://example.com/r.jpg"


def test_csv_defuses_spreadsheet_formulas_but_keeps_bullets():
    runs = sample_runs()
    rows = list(csv.DictReader(io.StringIO(export_csv(runs))))
    assert rows[0]["answer"].startswith("'=HYPERLINK")
    bullet = Run(prompt="p", model="m", answer="- a bullet")
    assert next(csv.DictReader(io.StringIO(export_csv([bullet]))))["answer"] == "- a bullet"


def test_python_snippet_compiles_and_rebuilds_the_exact_payload(tmp_path, monkeypatch):
    request = sample_request()
    export = as_python(request, BASE_URL)
    compile(export.code, "snippet.py", "exec")
    assert [name for name, _ in export.files] == ["image-1.png", "image-2.jpg"]
    for name, data in export.files:
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    # Run everything but the network call, then compare the payload it built.
    before_post = export.code.split("response = requests.post(")[0]
    namespace: dict[str, object] = {}
    exec(compile(before_post, "snippet.py", "exec"), namespace)  # noqa: S102 - our own snippet
    assert namespace["payload"] == build_payload(request)
    assert namespace["URL"] == BASE_URL + "/chat/completions"


def test_curl_snippet_is_valid_shell_and_carries_the_exact_payload():
    request = sample_request()
    export = as_curl(request, BASE_URL + "/")
    tokens = [word for word in shlex.split(export.code, comments=True) if word != "\n"]
    body = tokens[tokens.index("printf") + 2]
    encoded = {
        f"$IMAGE_{n}": base64.b64encode(data).decode()
        for n, (_, data) in enumerate(export.files, 1)
    }
    for variable, value in encoded.items():
        body = body.replace(variable, value)
    assert json.loads(body) == build_payload(request)
    assert BASE_URL + "/chat/completions" in tokens
    assert "Authorization: Bearer $IOINTELLIGENCE_API_KEY" in tokens
    assert "base64 < image-1.png" in export.code


def test_a_request_with_only_urls_needs_no_files():
    request = ChatRequest(
        model="m", prompt="hi", images=(ImageRef(url="https://example.com/a.png"),)
    )
    assert as_curl(request, BASE_URL).files == ()
    export = as_python(request, BASE_URL)
    assert export.files == ()
    assert "https://example.com/a.png" in export.code
    compile(export.code, "snippet.py", "exec")


@pytest.mark.parametrize("make", [as_curl, as_python])
def test_snippets_read_the_key_from_the_environment_only(make, monkeypatch):
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", SENTINEL_KEY)
    export = make(sample_request(), BASE_URL)
    assert "IOINTELLIGENCE_API_KEY" in export.code
    assert SENTINEL_KEY not in export.code
    assert SENTINEL_KEY not in repr(export)
    assert all(SENTINEL_KEY.encode() not in data for _, data in export.files)


def test_no_export_contains_the_key(monkeypatch):
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", SENTINEL_KEY)
    runs = sample_runs()
    for text in (export_json(runs), export_markdown(runs), export_csv(runs)):
        assert SENTINEL_KEY not in text


def test_exports_name_images_by_their_file_names():
    run = Run(
        prompt="Compare",
        model="m",
        answer="ok",
        images=(
            RunImage(position=0, sha256="ab" * 32, name="receipt-0042.jpg"),
            RunImage(position=1, sha256="", url="https://e.org/charts/q3.png"),
        ),
    )
    assert [image["name"] for image in json.loads(export_json([run]))["runs"][0]["images"]] == [
        "receipt-0042.jpg",
        "q3.png",
    ]
    assert "- Image 1: receipt-0042.jpg (`abababababab`)" in export_markdown([run])
    (row,) = csv.DictReader(io.StringIO(export_csv([run])))
    assert row["image_names"] == "receipt-0042.jpg | q3.png"
