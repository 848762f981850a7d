"""`vision eval --repeat N` against the echo: every repeat is asked (the cache is not used),
each run keeps its repeat, resume fills in a missing repeat, and the summary and the report
give the flip rates, the spread per repeat and the paired comparison on repeats."""

from __future__ import annotations

import json

import pytest

from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.cli.main import main
from vision.echo import Fault
from vision.history.store import HistoryStore


def write_set(folder, count: int) -> str:
    lines = []
    for index in range(count):
        (folder / f"{index}.png").write_bytes(make_image("PNG", (60 + index, 40)))
        lines.append({"image": f"{index}.png", "question": "Who?", "answer": "Qwen"})
    path = folder / "set.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return str(path)


def batch_runs(env):
    with HistoryStore(env / "history.sqlite3") as store:
        return store.batch_runs(store.batch_ids()[0], images=False)


def test_every_repeat_is_asked_even_at_temperature_0_and_keeps_its_number(env, echo, capsys):
    source = write_set(env, 2)
    # A first batch answers every request, so the cache could serve all of them.
    assert main(["eval", "--images", source, "-m", QWEN, "--temperature", "0"]) == 0
    asked = len(echo.chat_requests)
    assert main(["eval", "--images", source, "-m", QWEN, "--temperature", "0",
                 "--repeat", "3"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert len(echo.chat_requests) == asked + 6
    assert "served from the cache" not in out
    runs = batch_runs(env)
    assert sorted((run.item_index, run.repeat) for run in runs) == [
        (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)
    ]  # fmt: skip
    assert not any(run.cached for run in runs)
    assert f"{QWEN}: 6/6 passed (contains) over 3 repeats" in out
    assert "per repeat: 100%, 100%, 100% (min 100%, max 100%, standard deviation 0.0 points)" in out
    assert "0 of 2 items flipped, mean flip rate 0.0%" in out


def test_a_repeat_that_failed_flips_its_item_and_resume_asks_only_that_repeat(env, echo, capsys):
    source = write_set(env, 2)
    report = env / "report.html"
    out_csv = env / "items.csv"
    # The very first request (item 0, Qwen, repeat 0) fails; everything else is answered.
    echo.add_fault(Fault(kind="status", status=400, times=1))
    code = main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA, "--repeat", "3",
                 "--concurrency", "1", "--report", str(report), "--out", str(out_csv)])  # fmt: skip
    assert code == 1
    out = capsys.readouterr().out
    # Qwen passed 5 of its 6 answers: item 0 passed 2 of 3 repeats, so one repeat differs from
    # the majority, a flip rate of 1/3; its pass rates per repeat are 50%, 100%, 100%.
    assert f"{QWEN}: 5/6 passed (contains) over 3 repeats" in out
    assert "per repeat: 50%, 100%, 100% (min 50%, max 100%, standard deviation 28.9 points)" in out
    assert "1 of 2 items flipped, mean flip rate 16.7%" in out
    # The comparison is on each item's share of passed repeats: Qwen ahead on both items.
    assert "Qwen2-VL-7B-Instruct minus Llama-3.2-90B-Vision-Instruct +83.3 points" in out
    assert "Qwen2-VL-7B-Instruct is ahead on 2 items, Llama-3.2-90B-Vision-Instruct on 0" in out
    html = report.read_text()
    assert "<h2>Repeats</h2>" in html
    assert '<td>0.png</td><td>Qwen2-VL-7B-Instruct</td><td class="n">2 of 3</td>' in html
    assert '<td class="n">33%</td>' in html
    rows = out_csv.read_text().splitlines()
    assert rows[0].endswith(",repeat,read_by_judge")
    assert len(rows) == 1 + 12
    asked = len(echo.chat_requests)
    # Resume keeps the batch's three repeats and asks only the one that failed.
    assert main(["eval", "--resume", "--retry-errors"]) == 0
    assert "Resuming: 11 of 12 answered" in capsys.readouterr().err
    assert len(echo.chat_requests) == asked + 1
    retried = [run for run in batch_runs(env) if run.item_index == 0 and run.model == QWEN]
    assert sorted(run.repeat for run in retried) == [0, 0, 1, 2]


def test_repeat_goes_with_a_new_batch_only(env, capsys):
    source = write_set(env, 1)
    assert main(["eval", "--images", source, "-m", QWEN, "--repeat", "2"]) == 0
    assert main(["eval", "--resume", "--repeat", "3"]) == 1
    assert "as many times as it started with" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["eval", "--images", source, "-m", QWEN, "--repeat", "0"])
    assert usage.value.code == 2
    assert "--repeat: 0 is not at least 1" in capsys.readouterr().err
