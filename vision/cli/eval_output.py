"""What `vision eval` prints and writes when a batch ends: scores with 95% intervals per model
and tag, the paired comparisons, and the per-item CSV, JSONL and HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vision.api.catalog import short_name

if TYPE_CHECKING:
    from vision.history.store import HistoryStore
    from vision.scoring.summary import ItemOutcome, Scoring
    from vision.values.request import ChatClient


def judge_batch(
    client: ChatClient, store: HistoryStore, batch_id: str, args: argparse.Namespace, err: TextIO
) -> None:
    """Have the judge model grade every answer it has not graded yet with this rubric."""
    from vision.scoring.judge import judge_batch as judge_answers

    concurrency = args.concurrency or 4
    _, failed = judge_answers(
        client, store, batch_id, args.judge, args.rubric, concurrency=concurrency
    )
    for run, error in failed:
        err.write(f"The judge could not grade run {run.id}: {error}\n")


def scored(store: HistoryStore, batch_id: str, args: argparse.Namespace) -> list[ItemOutcome]:
    """The batch's outcomes under the chosen metric (or the judge's verdicts)."""
    from vision.scoring.summary import score_runs

    runs = store.batch_runs(batch_id, images=False)
    judgements = store.judgements(batch_id, judge_model=args.judge) if args.judge else []
    judgements = [judgement for judgement in judgements if judgement.rubric == args.rubric]
    scoring: Scoring = "judge" if args.judge else args.metric
    return score_runs(runs, scoring, judgements=judgements, unscored=True)


def print_scores(
    outcomes: list[ItemOutcome], models: tuple[str, ...], how: str, out: TextIO
) -> None:
    """Pass rates with their intervals per model (and tag), then what each comparison supports."""
    from vision.scoring.summary import comparisons, score_table

    for row in score_table(outcomes):
        out.write(
            f"{row.model}: {row.passed}/{row.items} passed ({how}), 95% interval "
            f"{row.low:.0%}–{row.high:.0%}, mean score {row.mean_score:.2f}"
            + (f", {row.unread} unread (no option could be read)" if row.unread else "")
            + "\n"
        )
    tagged = [row for row in score_table(outcomes, by_tag=True) if row.tag]
    for row in tagged:
        out.write(
            f"  {short_name(row.model)} on {row.tag}: {row.passed}/{row.items} passed, "
            f"{row.low:.0%}–{row.high:.0%}\n"
        )
    for comparison in comparisons(outcomes, models, by_tag=False):
        out.write(f"{comparison.sentence}\n")
    if tagged:
        for comparison in comparisons(outcomes, models, by_tag=True):
            out.write(f"  {comparison.sentence}\n")


def write_outputs(
    outcomes: list[ItemOutcome],
    store: HistoryStore,
    batch_id: str,
    args: argparse.Namespace,
    out: TextIO,
) -> None:
    """The per-item CSV and JSONL, and the HTML report, where they were asked for."""
    from vision.batch.outputs import write_csv, write_jsonl

    if args.out:
        write_csv(outcomes, Path(args.out))
        out.write(f"Wrote {args.out}.\n")
    if args.jsonl:
        write_jsonl(outcomes, Path(args.jsonl))
        out.write(f"Wrote {args.jsonl}.\n")
    if args.report:
        from vision.report.html import report_for_batch

        Path(args.report).write_text(
            report_for_batch(store, batch_id, outcomes, scoring=scoring_label(args)),
            encoding="utf-8",
        )
        out.write(f"Wrote {args.report}.\n")


def scoring_label(args: argparse.Namespace) -> str:
    """How answers were scored, as the summary and the report say it."""
    if args.judge:
        return f"judge {args.judge}"
    return str(args.metric)
