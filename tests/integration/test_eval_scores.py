"""`vision eval` scores: metrics, circular questions, the echo's judge, and what it writes."""

from __future__ import annotations

import csv
import json
import re

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.cli.main import main
from vision.history.store import HistoryStore

HOSTILE = '<img src="https://collector.example/leak.png"><script>alert(1)</script>'


def write_set(folder, lines) -> str:
    for index in range(len(lines)):
        (folder / f"{index}.png").write_bytes(make_image("PNG", (60 + index, 40)))
    path = folder / "set.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return str(path)


def test_scores_come_with_intervals_and_the_paired_sentence(env, capsys):
    # The echo's answer quotes its model's id: Qwen's answers contain "Qwen", Llama's do not.
    lines = [{"image": f"{i}.png", "question": "Who?", "answer": "Qwen", "tag": "chart"}
             for i in range(12)]  # fmt: skip
    source = write_set(env, lines)
    assert main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA]) == 0
    out = capsys.readouterr().out
    assert f"{QWEN}: 12/12 passed (contains), 95% interval 76%–100%" in out
    assert f"{LLAMA}: 0/12 passed (contains), 95% interval 0%–24%" in out
    assert (
        "Qwen2-VL-7B-Instruct passes more items; the difference is significant at 5% "
        "(Qwen2-VL-7B-Instruct passes 12, Llama-3.2-90B-Vision-Instruct 0; they differ on 12, "
        "p = 0.000488)."
    ) in out


def test_circular_multiple_choice_asks_every_rotation_and_scores_the_question_once(env, capsys):
    lines = [{"image": "0.png", "question": "Which?", "options": ["cat", "dog", "owl"],
              "answer": "B"}]  # fmt: skip
    source = write_set(env, lines)
    out_csv = env / "items.csv"
    code = main(["eval", "--images", source, "-m", QWEN, "--metric", "choice", "--circular",
                 "--out", str(out_csv)])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "[3/3]" in captured.err
    # The echo quotes every option letter back, so no single letter can be read: 0 of 1, and
    # the question is unread (every rotation is), not a wrong guess.
    assert f"{QWEN}: 0/1 passed (choice)" in captured.out
    assert "1 unread (no option could be read)" in captured.out
    (row,) = csv.DictReader(out_csv.open())
    assert row["item_name"] == "0.png"
    assert row["how"] == "circular: 0 of 3 rotations, 3 unread"
    with HistoryStore(env / "history.sqlite3") as store:
        runs = store.batch_runs(store.batch_ids()[0])
    assert sorted(run.expected for run in runs) == ["A", "B", "C"]  # dog moves with each turn
    assert {run.choices for run in runs} == {("cat", "dog", "owl"), ("dog", "owl", "cat"),
                                             ("owl", "cat", "dog")}  # fmt: skip


def test_a_judge_grades_each_answer_and_its_reason_is_kept(env, echo, capsys):
    source = write_set(env, [{"image": "0.png", "question": "Who?", "answer": "Qwen"}])
    code = main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA, "--judge", QWEN,
                 "--jsonl", str(env / "items.jsonl")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert f"{QWEN}: 1/1 passed (judge {QWEN})" in out
    assert f"{LLAMA}: 0/1 passed (judge {QWEN})" in out
    judged = [
        r
        for r in echo.chat_requests
        if r.body["messages"][0]["content"].startswith("You are a strict")
    ]
    assert len(judged) == 2
    assert all(r.body["temperature"] == 0 for r in judged)
    records = [json.loads(line) for line in (env / "items.jsonl").read_text().splitlines()]
    reasons = {record["model"]: record["how"] for record in records}
    # Qwen takes images, so as judge it was shown each answer's image.
    assert reasons[QWEN] == "Echo judge: the answer contains 'Qwen'. It was shown 1 image."
    assert reasons[LLAMA] == "Echo judge: the answer lacks 'Qwen'. It was shown 1 image."
    assert (
        "The judge saw the images of the 2 answers it graded, as each model received them." in out
    )
    # Judged again with the same rubric: nothing new is asked.
    before = len(echo.chat_requests)
    assert main(["eval", "--resume", "--judge", QWEN]) == 0
    assert len(echo.chat_requests) == before


def test_the_html_report_is_self_contained_and_escapes_answers(env, capsys):
    lines = [{"image": f"{i}.png", "question": HOSTILE, "answer": "Qwen", "tag": "doc"}
             for i in range(3)]  # fmt: skip
    source = write_set(env, lines)
    report = env / "report.html"
    assert main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA,
                 "--report", str(report)]) == 0  # fmt: skip
    html = report.read_text()
    assert "default-src 'none'; img-src data:" in html
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    # Nothing the browser would fetch: every src is an inline thumbnail.
    sources = re.findall(r'src="([^"]*)"', html)
    assert sources
    assert all(value.startswith("data:image/jpeg;base64,") for value in sources)
    assert "95% interval" in html
    assert "<svg" in html
    assert "Right answers" in html
    assert "Wrong answers" in html
    assert "Qwen2-VL-7B-Instruct passes more doc items" not in html  # 3 items: not significant
    assert "not distinguishable with 3 items" in html


def test_the_report_counts_each_models_unread_multiple_choice_answers(env, capsys):
    # The echo quotes the prompt, options and all: several letters, no single one to read.
    lines = [{"image": f"{i}.png", "question": "Which?", "options": ["cat", "dog"],
              "answer": "A"} for i in range(2)]  # fmt: skip
    source = write_set(env, lines)
    report = env / "report.html"
    assert main(["eval", "--images", source, "-m", QWEN, "--metric", "choice",
                 "--report", str(report)]) == 0  # fmt: skip
    assert "2 unread (no option could be read)" in capsys.readouterr().out
    html = report.read_text()
    assert "<th>unread</th>" in html
    assert '<td class="n">2</td></tr>' in html
    assert "no option could be read (VLMEvalKit would ask a judge model" in html


def test_the_reports_ratings_count_both_bad_as_a_tie_and_say_when_a_model_never_lost(env):
    from vision.report.html import report_for_batch
    from vision.values.run import Vote

    with HistoryStore(env / "history.sqlite3") as store:
        for _ in range(4):
            store.save_vote(Vote(model_a=QWEN, model_b=LLAMA, choice="a", batch_id="b1"))
        html = report_for_batch(store, "b1", [], scoring="contains")
        # Qwen never lost: its rating would be infinite without the pseudo-count.
        assert "A model never lost or never won" in html
        assert '"both bad" as a tie (as on LMArena)' in html
        # "Both bad" is a tie, half a win for Llama: the ratings are finite on their own.
        store.save_vote(Vote(model_a=QWEN, model_b=LLAMA, choice="both_bad", batch_id="b1"))
        assert "never lost" not in report_for_batch(store, "b1", [], scoring="contains")
