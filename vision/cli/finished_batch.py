"""What the command line does with a finished batch: judge it if asked, score it, print the
scores with 95% intervals per model and tag and the paired comparisons, and write the per-item
CSV, JSONL and HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vision.api.catalog import short_name

if TYPE_CHECKING:
    from vision.api.client import VisionClient
    from vision.history.store import HistoryStore
    from vision.scoring.agreement import Agreement
    from vision.scoring.metrics import MetricName
    from vision.scoring.summary import ItemOutcome, ScoreRow, Scoring


def judge_batch(
    client: VisionClient, store: HistoryStore, batch_id: str, args: argparse.Namespace, err: TextIO
) -> None:
    """Have the judge model grade every answer (or, with --pairwise, compare each two models'
    answers) it has not judged yet with this rubric, shown the images when it takes them."""
    from vision.api.catalog import load_catalog, sees_images
    from vision.scoring.judge import judge_batch as judge_answers
    from vision.scoring.pairwise import judge_batch_pairs

    catalog = load_catalog(client, client.base_url)
    sees = sees_images(catalog.info(args.judge)) and not args.judge_text_only
    if not sees:
        why = "--judge-text-only" if args.judge_text_only else "it takes no images"
        err.write(f"The judge {args.judge} reads the answers as text only ({why}).\n")
    concurrency = args.concurrency or 4
    if args.pairwise:
        pairs = judge_batch_pairs(
            client, store, batch_id, args.judge, args.rubric, sees_images=sees,
            concurrency=concurrency,
        )  # fmt: skip
        for (a, b), error in pairs.failed:
            err.write(f"The judge could not compare runs {a.id} and {b.id}: {error}\n")
        for (a, b), error in pairs.unseen:
            err.write(f"The judge compared runs {a.id} and {b.id} without the image: {error}\n")
        return
    found = judge_answers(
        client, store, batch_id, args.judge, args.rubric, sees_images=sees,
        concurrency=concurrency,
    )  # fmt: skip
    for run, error in found.failed:
        err.write(f"The judge could not grade run {run.id}: {error}\n")
    for run, error in found.unseen:
        err.write(f"The judge graded run {run.id} without its image: {error}\n")


def read_unread_answers(
    client: VisionClient, store: HistoryStore, batch_id: str, args: argparse.Namespace, err: TextIO
) -> None:
    """Have the --judge-unread model read the multiple-choice answers the rules left unread."""
    from vision.scoring.choice_reading import read_unread

    found = read_unread(
        client, store, batch_id, args.judge_unread, concurrency=args.concurrency or 4
    )
    for run, error in found.failed:
        err.write(f"The judge could not read run {run.id}: {error}\n")


def _grading(args: argparse.Namespace) -> bool:
    return bool(args.judge) and not args.pairwise


def scored(
    store: HistoryStore, batch_id: str, args: argparse.Namespace, *, rule_only: bool = False
) -> list[ItemOutcome]:
    """The batch's outcomes under the chosen metric (or the judge's verdicts), with the
    --judge-unread model's readings of unread answers unless rule_only."""
    from vision.scoring.choice_reading import batch_readings
    from vision.scoring.judge import batch_judgements
    from vision.scoring.summary import reads_images, score_runs

    graded = _grading(args)
    scoring: Scoring = "judge" if graded else args.metric
    runs = store.batch_runs(batch_id, images=reads_images(scoring), thumbnails=False)
    judgements = batch_judgements(store, batch_id, args.judge, args.rubric) if graded else []
    reader = getattr(args, "judge_unread", None)
    readings = batch_readings(store, batch_id, reader) if reader and not rule_only else []
    return score_runs(runs, scoring, judgements=judgements, readings=readings, unscored=True)


def print_judging(
    store: HistoryStore,
    batch_id: str,
    models: tuple[str, ...],
    args: argparse.Namespace,
    out: TextIO,
) -> None:
    """What the judge saw, and with --pairwise its verdicts per pair of models and its
    agreement with the blind votes cast on the same pairs."""
    from vision.report.judging import saw_sentence
    from vision.scoring.agreement import judge_agreement
    from vision.scoring.judge import batch_judgements
    from vision.scoring.pair_results import pairwise_rows

    if not args.judge:
        return
    if not args.pairwise:
        graded = batch_judgements(store, batch_id, args.judge, args.rubric)
        seen = sum(judgement.saw_images for judgement in graded)
        out.write(saw_sentence(seen, len(graded), "answer", "graded") + "\n")
        return
    verdicts = store.pair_verdicts(batch_id, judge_model=args.judge, rubric=args.rubric)
    seen = sum(verdict.saw_images for verdict in verdicts)
    out.write(saw_sentence(seen, len(verdicts), "pair", "compared") + "\n")
    for row in pairwise_rows(verdicts, models):
        a, b = short_name(row.model_a), short_name(row.model_b)
        low, high = row.inconsistent_interval
        out.write(
            f"{a} vs {b}: {row.pairs} pairs judged in both orders; {row.inconsistent} changed "
            f"with the order ({row.inconsistent_share:.0%}, 95% interval {low:.0%}–{high:.0%}) "
            f"and do not count; of {row.consistent} consistent: {a} {row.wins_a}, "
            f"{b} {row.wins_b}, ties {row.ties}.\n"
        )
    votes = store.votes(batch_id=batch_id)
    if votes:
        agreement = judge_agreement(verdicts, votes)
        out.write(f"{agreement_sentence(agreement, len(votes))}\n")


def agreement_sentence(agreement: Agreement, votes: int) -> str:
    """The judge's agreement with people's votes, as one sentence."""
    if not agreement.compared:
        return (
            f"None of the {votes} blind votes is on a pair the judge compared consistently: "
            "no agreement to report."
        )
    low, high = agreement.interval
    kappa = agreement.kappa
    said = (
        f"Cohen's kappa {kappa.value:.2f} (95% interval {kappa.low:.2f} to {kappa.high:.2f})"
        if kappa.value is not None and kappa.low is not None and kappa.high is not None
        else "Cohen's kappa undefined (one verdict throughout)"
    )
    return (
        f"The judge agrees with {agreement.agreed} of {agreement.compared} blind votes on the "
        f"same pairs ({agreement.rate:.0%}, 95% interval {low:.0%}–{high:.0%}); {said}."
    )


def _detection(row: ScoreRow) -> str:
    counts = row.detection
    if counts is None:
        return ""
    (p_low, p_high), (r_low, r_high) = row.precision_interval, row.recall_interval
    return (
        f"; precision {counts.true_positives}/{counts.predictions} = {counts.precision:.0%} "
        f"({p_low:.0%}–{p_high:.0%}), recall {counts.true_positives}/{counts.references} = "
        f"{counts.recall:.0%} ({r_low:.0%}–{r_high:.0%}) at IoU 0.5"
    )


def print_scores(
    outcomes: list[ItemOutcome],
    models: tuple[str, ...],
    how: str,
    out: TextIO,
    *,
    metric: MetricName | None = None,
) -> None:
    """Pass rates with their intervals per model (and tag), then what each comparison supports;
    a grounding metric's rates under their own names (Acc@0.5, mean IoU; detection's precision
    and recall with theirs)."""
    from vision.scoring.metrics import MEAN_NAMES, PASS_NAMES
    from vision.scoring.summary import comparisons, score_table

    if metric is not None and outcomes and all(outcome.score is None for outcome in outcomes):
        out.write(nothing_scored(metric) + "\n")
        return
    passed = PASS_NAMES.get(metric) if metric else None
    mean = (MEAN_NAMES.get(metric) if metric else None) or "mean score"
    for row in score_table(outcomes):
        rate = f" = {passed} {row.rate:.0%}" if passed else ""
        repeats = f" over {row.repeats} repeats" if row.repeats > 1 else ""
        out.write(
            f"{row.model}: {row.passed}/{row.items} passed ({how}){repeats}{rate}, 95% interval "
            f"{row.low:.0%}–{row.high:.0%}, {mean} {row.mean_score:.2f}"
            + (f", {row.unread} unread (no option could be read)" if row.unread else "")
            + (f", {row.read_by_judge} read by the judge" if row.read_by_judge else "")
            + _detection(row)
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


def nothing_scored(metric: MetricName) -> str:
    """The sentence for a batch none of whose items the metric can score."""
    from vision.scoring.metrics import BOX_METRICS

    if metric in BOX_METRICS:
        return (
            f"No item has reference boxes, so --metric {metric} scored nothing: give the items "
            "boxes (docs/grounding.md), or score their answers with --judge MODEL."
        )
    return (
        f"No item has an expected answer, so --metric {metric} scored nothing: give the items "
        "an expected (or answer) column, or have a model grade the answers with --judge MODEL."
    )


def print_rule_only(
    store: HistoryStore, batch_id: str, args: argparse.Namespace, out: TextIO
) -> None:
    """The reference score beside the judge-read one: the rules alone, unread answers wrong."""
    from vision.scoring.summary import score_table

    for row in score_table(scored(store, batch_id, args, rule_only=True)):
        out.write(
            f"{row.model} by the rules alone (the reference's score): {row.passed}/{row.items} "
            f"passed, 95% interval {row.low:.0%}–{row.high:.0%}, {row.unread} unread\n"
        )


def print_repeats(outcomes: list[ItemOutcome], out: TextIO) -> None:
    """With repeats: each model's pass rate per repeat, their range and standard deviation,
    and how many items flipped."""
    from vision.scoring.repeats import repeat_spread, repeated

    if not repeated(outcomes):
        return
    for spread in repeat_spread(outcomes):
        rates = ", ".join(f"{rate:.0%}" for rate in spread.rates)
        out.write(
            f"{short_name(spread.model)} per repeat: {rates} (min {spread.low:.0%}, max "
            f"{spread.high:.0%}, standard deviation {100 * spread.sd:.1f} points); "
            f"{spread.flipped} of {spread.items} items flipped, mean flip rate "
            f"{spread.mean_flip_rate:.1%}\n"
        )


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
            report_for_batch(
                store,
                batch_id,
                outcomes,
                scoring=scoring_label(args),
                metric=chosen_metric(args),
                rule_only=(
                    scored(store, batch_id, args, rule_only=True) if args.judge_unread else None
                ),
            ),
            encoding="utf-8",
        )
        out.write(f"Wrote {args.report}.\n")
    if args.draw:
        drawn = draw_outcomes(outcomes, store, Path(args.draw))
        out.write(f"Drew {drawn} answer(s) in {args.draw}.\n")


def draw_outcomes(outcomes: list[ItemOutcome], store: HistoryStore, directory: Path) -> int:
    """Each grounding item's answer drawn on its photo with the reference boxes, as
    DIR/ITEM.MODEL.png; how many were drawn (a failed run, or a photo not kept, is skipped)."""
    from vision.cli.common import file_slug
    from vision.errors import VisionError
    from vision.export.drawn import drawn_run

    count = 0
    for outcome in outcomes:
        if outcome.run.locate is None or outcome.run.failed:
            continue
        run = store.get_run(outcome.run.id) or outcome.run
        try:
            picture = drawn_run(store, run)
        except VisionError:
            continue
        name = f"{file_slug(outcome.name)}.{file_slug(outcome.model)}.png"
        (directory / name).write_bytes(picture)
        count += 1
    return count


def scoring_label(args: argparse.Namespace) -> str:
    """How answers were scored, as the summary and the report say it."""
    if _grading(args):
        return f"judge {args.judge}"
    return str(args.metric)


def chosen_metric(args: argparse.Namespace) -> MetricName | None:
    """The metric answers are scored by; None when a judge grades them."""
    metric: MetricName = args.metric
    return None if _grading(args) else metric
