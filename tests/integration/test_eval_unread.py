"""`vision eval --judge-unread MODEL` against the echo: only the multiple-choice answers the
rules left unread go to the judge; what it reads is kept, counted apart, and shown beside the
rule-only score."""

from __future__ import annotations

import json

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.cli.main import main
from vision.history.store import HistoryStore
from vision.scoring.choice_reading import READER_SYSTEM, READING


def write_set(folder, answers) -> str:
    lines = []
    for index, answer in enumerate(answers):
        (folder / f"{index}.png").write_bytes(make_image("PNG", (60 + index, 40)))
        lines.append({"image": f"{index}.png", "question": "Which?", "options": ["cat", "dog"],
                      "answer": answer})  # fmt: skip
    path = folder / "set.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return str(path)


def reader_requests(echo):
    return [r for r in echo.chat_requests if r.body["messages"][0]["content"] == READER_SYSTEM]


def test_the_judge_reads_only_unread_answers_and_the_rule_only_score_stays(env, echo, capsys):
    # The echo quotes the options back, so the rules read no option from its answers; its
    # judge names the option whose text comes first there: cat, option A.
    source = write_set(env, ["A", "B"])
    report = env / "report.html"
    code = main(["eval", "--images", source, "-m", QWEN, "--metric", "choice",
                 "--judge-unread", LLAMA, "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert len(reader_requests(echo)) == 2
    assert f"{QWEN}: 1/2 passed (choice)" in out
    assert "(choice), 95% interval 9%–91%, mean score 0.50, 2 read by the judge\n" in out
    assert f"{QWEN} by the rules alone (the reference's score): 0/2 passed" in out
    assert out.count("2 unread") == 1  # the rule-only line's
    with HistoryStore(env / "history.sqlite3") as store:
        batch_id = store.batch_ids()[0]
        readings = store.judgements(batch_id, judge_model=LLAMA, rubric=READING)
    assert sorted((reading.reason, reading.passed) for reading in readings) == [
        ("option A", False), ("option A", True)
    ]  # fmt: skip
    html = report.read_text()
    assert "<th>read by judge</th>" in html
    assert "Read 2 multiple-choice answer(s) the rules left unread, as text." in html
    assert "<h2>Scores by the rules alone (the reference's)</h2>" in html
    assert "read by the judge meta-llama/Llama-3.2-90B-Vision-Instruct as option A" in html
    # Asked again, the judge reads nothing twice.
    assert main(["eval", "--resume", "--metric", "choice", "--judge-unread", LLAMA]) == 0
    assert len(reader_requests(echo)) == 2


def test_reading_unread_answers_goes_with_multiple_choice_only(env, echo, capsys):
    source = write_set(env, ["A"])
    code = main(["eval", "--images", source, "-m", QWEN, "--metric", "contains",
                 "--judge-unread", LLAMA])  # fmt: skip
    assert code == 1
    assert "use it with --metric choice" in capsys.readouterr().err
    assert reader_requests(echo) == []
