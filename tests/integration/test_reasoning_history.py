"""A reasoning model's answer through the history and out again, on both engines: its effort in
the run's parameters, its reasoning and reasoning tokens apart from its answer, the exports,
copy as code run against the echo, a rerun, and a reopened run."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from tests.conftest import ECHO_API_KEY
from tests.support.client_calls import KEY
from tests.support.images import make_photo
from tests.support.models import QWEN, REASONING
from vision.api.client import VisionClient
from vision.api.payload import build_payload
from vision.export.code import as_curl, as_python
from vision.export.runs import export_csv, export_json, export_markdown
from vision.history.replay import rebuild_request, reopen, rerun
from vision.images.intake import prepare_image
from vision.values.request import ChatRequest
from vision.values.run import RunContext, RunImage, run_from_result


def _asked(client: VisionClient, store, effort: str = "high"):  # type: ignore[no-untyped-def]
    data = make_photo((640, 480))
    photo = prepare_image(data, filename="cat.jpg", model=REASONING)
    request = ChatRequest(
        model=REASONING,
        prompt="What is in it?",
        images=(photo.as_ref(),),
        temperature=0.2,
        reasoning_effort=effort,  # type: ignore[arg-type]
    )
    result = client.chat(request)
    image = RunImage(sha256=photo.sha256, source_sha256=photo.source_sha256, name="cat.jpg")
    saved = store.save_run(
        run_from_result(request, result, images=(image,), context=RunContext(expected="cat")),
        originals={photo.source_sha256: data},
    )
    return request, result, saved


def test_a_reasoning_run_comes_back_whole_and_exports_answer_and_reasoning_apart(history_db, echo):
    with VisionClient(echo.base_url, KEY) as client, history_db.open() as store:
        _request, result, saved = _asked(client, store)
        (run,) = store.search_runs()
    assert run.id == saved.id
    assert run.params == {"temperature": 0.2, "reasoning_effort": "high"}
    assert run.answer == result.text
    assert run.reasoning == result.reasoning
    assert run.usage == result.usage
    assert run.usage.reasoning_tokens is not None
    assert run.usage.reasoning_tokens > 0

    record = json.loads(export_json([run]))["runs"][0]
    assert record["answer"] == result.text
    assert record["reasoning"] == result.reasoning
    assert "Deliberating" not in record["answer"]
    assert record["params"]["reasoning_effort"] == "high"
    assert record["usage"]["reasoning_tokens"] == run.usage.reasoning_tokens

    (row,) = csv.DictReader(io.StringIO(export_csv([run])))
    assert row["answer"] == result.text
    assert row["reasoning"] == result.reasoning
    assert row["reasoning_effort"] == "high"
    assert row["reasoning_tokens"] == str(run.usage.reasoning_tokens)
    assert row["passed"] == "no"  # "cat" is not in the echo's answer; the reasoning is not read

    markdown = export_markdown([run])
    assert f"**Reasoning ({run.usage.reasoning_tokens:,} tokens):**" in markdown
    assert markdown.index("**Answer:**") < markdown.index("**Reasoning")
    parameters = next(line for line in markdown.splitlines() if "Parameters: " in line)
    assert "effort high" in parameters
    assert f"({run.usage.reasoning_tokens} reasoning +" in markdown


def test_copy_as_code_and_a_rerun_ask_again_with_the_same_effort(history_db, echo, tmp_path):
    with VisionClient(echo.base_url, KEY) as client, history_db.open() as store:
        _request, _result, saved = _asked(client, store, effort="low")
        rebuilt = rebuild_request(saved, store)
        assert rebuilt.reasoning_effort == "low"
        # Asked of a model that does not reason, the run's effort stays behind.
        assert rebuild_request(saved, store, model=QWEN).reasoning_effort is None
        again = rerun(saved, store, client)
        assert again.params["reasoning_effort"] == "low"
        assert again.reasoning == saved.reasoning
        assert reopen(store, saved).reasoning_effort == "low"
    bodies = [r.body for r in echo.chat_requests]
    assert bodies[-1]["reasoning"] == {"effort": "low"}

    assert '"reasoning": {' in as_curl(rebuilt, echo.base_url).code
    export = as_python(rebuilt, echo.base_url)
    for name, data in export.files:
        (tmp_path / name).write_bytes(data)
    (tmp_path / "snippet.py").write_text(export.code)
    done = subprocess.run(
        [sys.executable, "snippet.py"],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "IOINTELLIGENCE_API_KEY": ECHO_API_KEY},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert echo.chat_requests[-1].body == build_payload(rebuilt)
    printed_reasoning, printed_answer = done.stdout.split("\nanswer: ")
    assert printed_reasoning.startswith("reasoning: [echo reasoning")
    assert printed_answer.startswith("[echo backend")
