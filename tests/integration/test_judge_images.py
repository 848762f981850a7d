"""The judge against the echo on loopback: it is shown each answer's image exactly as the graded
model received it (the same bytes), or nothing when it takes no images or the image cannot be
rebuilt; pairwise judging in both orders; its agreement with blind votes in the outputs."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_photo
from tests.support.models import LLAMA, QWEN, TEXT_ONLY
from vision.api.client import VisionClient
from vision.cli.main import main
from vision.history.store import HistoryStore
from vision.scoring.judge import DEFAULT_RUBRIC, JUDGE_SYSTEM, judge_batch
from vision.scoring.pairwise import PAIR_SYSTEM
from vision.values.run import Run, Vote, image_from_url


def write_set(folder: Path, answers: list[str]) -> str:
    """Photos large enough that each model receives its own version (Qwen's grid, Llama's
    tiles), one line per answer."""
    lines = []
    for index, answer in enumerate(answers):
        (folder / f"{index}.jpg").write_bytes(make_photo((1600 + 8 * index, 1200)))
        lines.append({"image": f"{index}.jpg", "question": "Who answers?", "answer": answer})
    path = folder / "set.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


def image_urls(body: dict[str, Any]) -> list[str]:
    return [
        part["image_url"]["url"]
        for message in body["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
        if part["type"] == "image_url"
    ]


def system_of(body: dict[str, Any]) -> str:
    return str(body["messages"][0]["content"]) if body["messages"][0]["role"] == "system" else ""


def decoded(url: str) -> bytes:
    return base64.b64decode(url.split(",", 1)[1])


def test_the_judge_is_shown_each_answers_image_exactly_as_its_model_received_it(env, echo):
    source = write_set(env, ["Qwen"])
    assert main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA]) == 0
    graded = {r.body["model"]: image_urls(r.body) for r in echo.chat_requests}
    assert graded[QWEN] != graded[LLAMA]  # each model received its own preparation
    with (
        HistoryStore(env / "history.sqlite3") as store,
        VisionClient(echo.base_url, ECHO_API_KEY) as client,
    ):
        batch_id = store.batch_ids()[0]
        before = len(echo.chat_requests)
        found = judge_batch(client, store, batch_id, QWEN, sees_images=True)
        runs = {run.id: run for run in store.batch_runs(batch_id)}
        kept = store.judgements(batch_id, judge_model=QWEN, rubric=DEFAULT_RUBRIC)
    assert not found.failed
    assert not found.unseen
    judged = echo.chat_requests[before:]
    assert all(system_of(r.body) == JUDGE_SYSTEM for r in judged)
    for judgement in found.judged:
        run = runs[judgement.run_id]
        (request,) = [r for r in judged if json.dumps(run.answer)[1:-1] in json.dumps(r.body)]
        # The judge request carried the very bytes the graded model was sent.
        assert image_urls(request.body) == graded[run.model]
        (shown,) = image_urls(request.body)
        assert hashlib.sha256(decoded(shown)).hexdigest() == run.images[0].sha256
        assert judgement.saw_images
        assert judgement.reason.endswith("It was shown 1 image.")
    assert {judgement.saw_images for judgement in kept} == {True}


def test_a_judge_that_takes_no_images_reads_the_answers_as_text(env, echo, capsys):
    source = write_set(env, ["Qwen"])
    assert main(["eval", "--images", source, "-m", QWEN, "--judge", TEXT_ONLY]) == 0
    captured = capsys.readouterr()
    assert f"The judge {TEXT_ONLY} reads the answers as text only (it takes no images)." in (
        captured.err
    )
    assert "The judge read the 1 answer it graded as text only: it saw no image." in captured.out
    (request,) = [r for r in echo.chat_requests if r.body["model"] == TEXT_ONLY]
    assert image_urls(request.body) == []
    with HistoryStore(env / "history.sqlite3") as store:
        (judgement,) = store.judgements(store.batch_ids()[0])
    assert not judgement.saw_images
    assert judgement.reason == "Echo judge: the answer contains 'Qwen'. It was shown no image."


def test_judge_text_only_keeps_the_images_from_a_judge_that_takes_them(env, echo, capsys):
    source = write_set(env, ["Qwen"])
    code = main(["eval", "--images", source, "-m", QWEN, "--judge", QWEN, "--judge-text-only"])
    assert code == 0
    assert "(--judge-text-only)" in capsys.readouterr().err
    judged = [r for r in echo.chat_requests if system_of(r.body) == JUDGE_SYSTEM]
    assert [image_urls(r.body) for r in judged] == [[]]


def test_an_image_whose_original_was_not_kept_is_judged_without_it_and_says_why(
    env, echo, monkeypatch
):
    monkeypatch.setenv("VISION_MAX_STORED_IMAGE_BYTES", "1000")  # every photo is over it
    source = write_set(env, ["Qwen"])
    # Copied, so the limit applies (a named file would be read back from its path).
    assert main(["eval", "--images", source, "-m", QWEN, "--keep-originals"]) == 0
    with (
        HistoryStore(env / "history.sqlite3") as store,
        VisionClient(echo.base_url, ECHO_API_KEY) as client,
    ):
        batch_id = store.batch_ids()[0]
        found = judge_batch(client, store, batch_id, QWEN, sees_images=True)
        (judgement,) = found.judged
        assert not judgement.saw_images
        ((_, why),) = found.unseen
        assert "was not kept in the history" in str(why)
        # Judged again: nothing new can be shown, so nothing is asked again.
        before = len(echo.chat_requests)
        again = judge_batch(client, store, batch_id, QWEN, sees_images=True)
    assert again.judged == ()
    assert len(echo.chat_requests) == before


def test_an_image_sent_by_url_is_shown_to_the_judge_by_the_same_url(env, echo):
    url = "https://images.example/harbour.jpg"
    with (
        HistoryStore(env / "history.sqlite3") as store,
        VisionClient(echo.base_url, ECHO_API_KEY) as client,
    ):
        store.save_run(
            Run(
                kind="batch_item",
                batch_id="urls",
                item_index=0,
                prompt="What is this?",
                model=QWEN,
                answer="A harbour.",
                expected="harbour",
                images=(image_from_url(url),),
            )
        )
        found = judge_batch(client, store, "urls", LLAMA, sees_images=True)
    (judgement,) = found.judged
    assert judgement.saw_images
    (request,) = echo.chat_requests
    assert image_urls(request.body) == [url]


def test_pairwise_judging_asks_both_orders_and_reports_what_changed_and_the_agreement(
    env, echo, capsys
):
    # Items 0 and 3 expect "Qwen", which only Qwen's echo answer names: Qwen wins in both
    # orders. Both answers name the echo backend: item 1 is a tie. Item 2 expects what neither
    # says: the echo judge prefers whichever answer comes first, so its verdict changes.
    source = write_set(env, ["Qwen", "echo backend", "a lighthouse", "Qwen"])
    report = env / "report.html"
    code = main(["eval", "--images", source, "-m", QWEN, "-m", LLAMA, "--judge", QWEN,
                 "--pairwise", "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    compared = [r for r in echo.chat_requests if system_of(r.body) == PAIR_SYSTEM]
    assert len(compared) == 8  # 4 items × 1 pair of models × 2 orders
    assert all(len(image_urls(r.body)) == 1 for r in compared)
    first, second = (json.dumps(r.body) for r in compared[:2])
    assert first != second  # the same two answers, their places swapped
    assert (
        "The judge saw the images of the 4 pairs it compared, as each model received them." in out
    )
    assert (
        "Qwen2-VL-7B-Instruct vs Llama-3.2-90B-Vision-Instruct: 4 pairs judged in both orders; "
        "1 changed with the order (25%, 95% interval 5%–70%) and do not count; of 3 "
        "consistent: Qwen2-VL-7B-Instruct 2, Llama-3.2-90B-Vision-Instruct 0, ties 1."
    ) in out
    html = report.read_text()
    assert "The judge saw the images of the 4 pairs it compared" in html
    assert "No blind votes on this batch to compare the judge with." in html

    # People vote blind on the same pairs: they agree with the judge on items 0 and 1 (both
    # bad is a tie), not on item 3, and item 2 is the pair the judge answered inconsistently.
    with HistoryStore(env / "history.sqlite3") as store:
        batch_id = store.batch_ids()[0]
        verdicts = {v.pair_id: v for v in store.pair_verdicts(batch_id)}
        for item, choice in ((0, "a"), (1, "both_bad"), (2, "a"), (3, "b")):
            v = verdicts[f"{batch_id}:{item}"]
            store.save_vote(
                Vote(
                    batch_id=batch_id,
                    pair_id=v.pair_id,
                    model_a=v.model_a,
                    model_b=v.model_b,
                    choice=choice,
                    run_a_id=v.run_a_id,
                    run_b_id=v.run_b_id,
                )
            )
    asked = len(echo.chat_requests)
    code = main(["eval", "--resume", batch_id, "--judge", QWEN, "--pairwise",
                 "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert len(echo.chat_requests) == asked  # every pair was compared already
    # Judge a, tie, a against people a, tie, b: kappa (2/3 - 1/3) / (1 - 1/3) = 0.5; its
    # interval as statsmodels' cohens_kappa gives it (-0.111 to 1.111), clipped at 1.
    assert (
        "The judge agrees with 2 of 3 blind votes on the same pairs (67%, 95% interval "
        "21%–94%); Cohen's kappa 0.50 (95% interval -0.11 to 1.00)."
    ) in out
    html = report.read_text()
    assert "Agreement with people" in html
    assert "1 vote(s) on pairs the judge answered inconsistently" in html


def test_pairwise_without_a_judge_says_what_to_add(env, echo, capsys):
    source = write_set(env, ["Qwen"])
    assert main(["eval", "--images", source, "-m", QWEN, "--pairwise"]) == 1
    assert "--pairwise and --judge-text-only go with --judge MODEL." in capsys.readouterr().err
    assert echo.chat_requests == []  # nothing was asked


def test_a_photo_changed_since_its_evaluation_is_judged_without_it_and_says_why(env, echo):
    source = write_set(env, ["Qwen"])
    assert main(["eval", "--images", source, "-m", QWEN]) == 0  # the photo named, not copied
    photo = env / "0.jpg"
    photo.write_bytes(photo.read_bytes() + b"edited")
    with (
        HistoryStore(env / "history.sqlite3") as store,
        VisionClient(echo.base_url, ECHO_API_KEY) as client,
    ):
        found = judge_batch(client, store, store.batch_ids()[0], QWEN, sees_images=True)
        (judgement,) = found.judged
        assert not judgement.saw_images
        ((_, why),) = found.unseen
        assert f"{photo} has changed since this run was saved" in str(why)
