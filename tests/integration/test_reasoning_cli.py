"""--reasoning-effort on the command line against the echo: `ask` prints the reasoning apart from
the answer with its count, `eval` scores and judges the answer alone, `sweep --efforts` compares
efforts against their tokens and cost."""

from __future__ import annotations

import csv
import json
import re

from tests.support.images import make_image
from tests.support.models import QWEN, REASONING
from vision.batch.recorded.spec import load_spec
from vision.cli.main import main
from vision.history.store import HistoryStore


def write_set(folder, count: int, expected: str) -> str:
    lines = []
    for index in range(count):
        (folder / f"{index}.png").write_bytes(make_image("PNG", (60 + index, 40)))
        lines.append({"image": f"{index}.png", "question": "What is it?", "answer": expected})
    path = folder / "set.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return str(path)


def test_ask_streams_the_reasoning_barred_then_the_answer_and_counts_it(env, echo, capsys):
    (env / "photo.png").write_bytes(make_image("PNG", (64, 48)))
    image = str(env / "photo.png")
    code = main(["ask", "-m", REASONING, "--reasoning-effort", "high", "-i", image, "What?"])
    out = capsys.readouterr().out
    assert code == 0
    reasoning, answer = out.split("answer:\n")
    assert reasoning.startswith("reasoning:\n│ [echo reasoning — no model thought] Deliberating")
    thought_lines = reasoning.splitlines()[1:]
    assert thought_lines
    assert all(line.startswith("│ ") for line in thought_lines)
    assert answer.startswith("[echo backend — no model ran]")
    assert "│" not in answer
    counted = re.search(r"(\d+) completion \((\d+) reasoning \+ (\d+) answer\)", answer)
    assert counted is not None
    assert int(counted.group(2)) == len(" ".join(thought_lines).replace("│ ", "").split())
    assert "first answer token" in answer
    assert echo.chat_requests[0].body["reasoning"] == {"effort": "high"}


def test_ask_with_several_models_labels_the_reasoning_and_names_who_gets_no_effort(
    env, echo, capsys
):
    code = main(["ask", "-m", REASONING, "-m", QWEN, "--reasoning-effort", "low", "Hi?"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err.endswith(
        "\nQwen2-VL-7B-Instruct is not a reasoning model, so the low reasoning effort is not "
        "sent to it.\n"
    )
    kimi, qwen = captured.out.split(f"=== {QWEN} ===\n")
    count = re.search(r"reasoning \((\d+) tokens\):\n", kimi)
    assert count is not None
    assert int(count.group(1)) > 0
    assert "answer:\n[echo backend" in kimi
    assert "reasoning" not in qwen.split("[")[0]
    sent = {r.body["model"]: r.body.get("reasoning") for r in echo.chat_requests}
    assert sent == {REASONING: {"effort": "low"}, QWEN: None}


def test_ask_folds_the_reasoning_on_request_and_json_keeps_it_apart(env, capsys):
    assert main(["ask", "-m", REASONING, "-m", QWEN, "--hide-reasoning", "Hi?"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"reasoning \(\d+ tokens\): hidden \(--hide-reasoning\)\nanswer:\n", out)
    assert "Deliberating" not in out
    assert main(["ask", "-m", REASONING, "--reasoning-effort", "medium", "--json", "Hi?"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["results"]
    assert entry["reasoning"].startswith("[echo reasoning")
    assert "Deliberating" not in entry["text"]
    assert entry["usage"]["reasoning_tokens"] == len(entry["reasoning"].split())
    assert entry["answer_ttft_s"] >= entry["ttft_s"]


def test_eval_scores_and_judges_the_answer_never_the_reasoning(env, echo, capsys):
    # "Deliberating" is in every reasoning of the echo's reasoning model, never in an answer.
    source = write_set(env, 3, "Deliberating")
    out_csv, out_jsonl = env / "items.csv", env / "items.jsonl"
    code = main(["eval", "--images", source, "-m", REASONING, "-m", QWEN,
                 "--reasoning-effort", "high", "--judge", QWEN,
                 "--out", str(out_csv), "--jsonl", str(out_jsonl)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Qwen2-VL-7B-Instruct is not a reasoning model" in captured.err
    assert f"{REASONING}: 0/3 passed (judge {QWEN})" in captured.out
    rows = list(csv.DictReader(out_csv.open()))
    thinking = [row for row in rows if row["model"] == REASONING]
    assert len(thinking) == 3
    for row in thinking:
        assert "Deliberating at high effort" in row["reasoning"]
        assert "Deliberating" not in row["answer"]
        assert row["passed"] == "no"
        assert int(row["reasoning_tokens"]) > 0
        assert int(row["completion_tokens"]) > int(row["reasoning_tokens"])
    assert all(row["reasoning"] == "" for row in rows if row["model"] == QWEN)
    records = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
    assert {record["model"] for record in records if record["reasoning"]} == {REASONING}
    with HistoryStore(env / "history.sqlite3") as store:
        batch_id = store.batch_ids()[0]
        runs = store.batch_runs(batch_id)
        judged = store.judgements(batch_id)
        spec = load_spec(store, batch_id)
    assert {run.model: run.params.get("reasoning_effort") for run in runs} == {
        REASONING: "high",
        QWEN: None,
    }
    assert (spec.reasoning_effort, spec.reasoning_models) == ("high", (REASONING,))
    by_run = {run.id: run for run in runs}
    verdicts = [j for j in judged if by_run[j.run_id].model == REASONING]
    assert len(verdicts) == 3
    assert all(not j.passed and "lacks 'Deliberating'" in j.reason for j in verdicts)
    judge_bodies = [r.body for r in echo.chat_requests if "<rubric>" in json.dumps(r.body)]
    assert judge_bodies
    assert all("Deliberating at" not in json.dumps(b) for b in judge_bodies)
    # Scored again by a metric (nothing left to ask): the answer alone is read there too.
    assert main(["eval", "--resume", batch_id, "--metric", "contains"]) == 0
    assert f"{REASONING}: 0/3 passed (contains)" in capsys.readouterr().out


def test_a_resumed_batch_keeps_its_own_effort(env, capsys):
    source = write_set(env, 1, "x")
    assert main(["eval", "--images", source, "-m", REASONING, "--reasoning-effort", "low"]) == 0
    capsys.readouterr()
    assert main(["eval", "--resume", "--reasoning-effort", "high"]) == 1
    assert "asks with the reasoning effort it started with" in capsys.readouterr().err


def test_sweep_compares_efforts_by_score_tokens_and_cost(env, echo, capsys):
    source = write_set(env, 2, "echo backend")
    report = env / "efforts.html"
    code = main(["sweep", "--images", source, "-m", REASONING, "--efforts", "low,medium,high",
                 "--report", str(report)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    reasoning = {}
    for effort in ("low", "medium", "high"):
        line = next(
            line
            for line in captured.out.splitlines()
            if line.startswith(f"effort {effort} · {REASONING}:")
        )
        assert "2/2 passed (contains)" in line  # the answers are the same; only thinking grows
        found = re.search(r"([\d,]+) completion tokens \(([\d,]+) reasoning\), cost ([\d.]+)", line)
        assert found is not None, line
        reasoning[effort] = (int(found.group(2)), float(found.group(3)))
    assert reasoning["low"][0] < reasoning["medium"][0] < reasoning["high"][0]
    assert reasoning["low"][1] < reasoning["high"][1]
    efforts = [r.body["reasoning"]["effort"] for r in echo.chat_requests]
    assert efforts == ["low"] * 2 + ["medium"] * 2 + ["high"] * 2
    html = report.read_text()
    assert "<h1>Reasoning effort sweep</h1>" in html
    assert "Score against completion tokens" in html
    assert "effort high" in html
    with HistoryStore(env / "history.sqlite3") as store:
        assert len(store.batch_ids()) == 3


def test_an_effort_sweep_refuses_a_model_that_does_not_reason(env, echo, capsys):
    source = write_set(env, 1, "x")
    code = main(["sweep", "--images", source, "-m", REASONING, "-m", QWEN, "--efforts", "low,high"])
    assert code == 1
    said = capsys.readouterr().err.strip()
    assert said.endswith(
        "Qwen2-VL-7B-Instruct is not a reasoning model: an effort would not change its "
        "answers, so remove it from an effort sweep."
    )
    assert echo.chat_requests == []
    assert main(["sweep", "--images", source, "-m", REASONING, "--efforts", "low,max"]) == 1
    assert "'max' is not one of none, low, medium, high" in capsys.readouterr().err
    assert main(["sweep", "--images", source, "-m", REASONING, "--efforts", "low",
                 "--budgets", "256,512"]) == 1  # fmt: skip
    assert "not both at once" in capsys.readouterr().err


def test_models_says_which_models_take_a_reasoning_effort(env, capsys):
    assert main(["models", "--json"]) == 0
    flags = {entry["id"]: entry["reasoning"] for entry in json.loads(capsys.readouterr().out)}
    assert [model for model, reasons in flags.items() if reasons] == [REASONING]
    assert main(["models"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    column = header.split().index("reasoning")
    said = {row.split()[0]: row.split()[column] for row in rows if "text only" not in row}
    assert [model for model, reasons in said.items() if reasons == "yes"] == [REASONING]
    assert set(said.values()) == {"yes", "no"}
