"""A scored batch as one self-contained HTML file: scores with 95% intervals per model and tag,
charts, the paired comparisons, vote ratings, the judge (whether it saw the images, its pairwise
verdicts, its agreement with people), and a sample of right and wrong answers.

Answers are untrusted (text inside an image can make a model write anything): every piece of
text is escaped, thumbnails are the history's own JPEGs inlined as data URLs, an image sent by
URL is shown as its address only, and the page's Content-Security-Policy lets it load nothing
from anywhere (images from data: only, no script).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from vision.api.catalog import short_name
from vision.markdown import clip
from vision.report.boxes import LEGEND, boxes_facts, boxes_figure
from vision.report.charts import Bar, interval_bars
from vision.report.judging import judging_section
from vision.report.repeats import repeats_section
from vision.report.style import STYLE
from vision.scoring.metrics import MEAN_NAMES, PASS_NAMES, MetricName
from vision.scoring.summary import ItemOutcome, ScoreRow, comparisons, score_table

if TYPE_CHECKING:
    from vision.history.store import HistoryStore
    from vision.values.run import Run

SAMPLE_EACH = 6
ANSWER_CHARS = 600
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _thumbnail(run: Run) -> str:
    for image in run.images:
        if image.thumbnail:
            encoded = base64.b64encode(image.thumbnail).decode()
            shown = f'<img alt="" src="data:image/jpeg;base64,{encoded}">'
            if image.shows:
                # Which page or moment of a document or video the model was sent.
                shown += f'<div class="note">{escape(image.shows)}</div>'
            return f"<div>{shown}</div>" if image.shows else shown
        if image.url:
            return f'<span class="note">sent by URL: {escape(clip(image.url, 80))}</span>'
    return '<span class="note">no thumbnail</span>'


def _detection_cells(row: ScoreRow) -> str:
    counts = row.detection
    if counts is None:
        return "<td></td><td></td>"
    cells = []
    for matched, total, (low, high) in (
        (counts.true_positives, counts.predictions, row.precision_interval),
        (counts.true_positives, counts.references, row.recall_interval),
    ):
        rate = matched / total if total else 0.0
        cells.append(f'<td class="n">{rate:.1%} ({matched}/{total}) · {low:.1%} – {high:.1%}</td>')
    return "".join(cells)


def _rows_table(
    outcomes: Sequence[ItemOutcome], *, by_tag: bool, metric: MetricName | None = None
) -> str:
    rows = score_table(outcomes, by_tag=by_tag)
    unread = any(row.unread for row in rows)
    by_judge = any(row.read_by_judge for row in rows)
    detection = any(row.detection is not None for row in rows)
    rate_name = (PASS_NAMES.get(metric) if metric else None) or "pass rate"
    mean_name = (MEAN_NAMES.get(metric) if metric else None) or "mean score"
    head = "<tr><th>model</th>" + ("<th>tag</th>" if by_tag else "")
    head += f"<th>passed</th><th>items</th><th>{escape(rate_name)}</th><th>95% interval</th>"
    head += f"<th>{escape(mean_name)}</th>" + ("<th>unread</th>" if unread else "")
    head += "<th>read by judge</th>" if by_judge else ""
    head += "<th>precision at IoU 0.5</th><th>recall at IoU 0.5</th>" if detection else ""
    head += "</tr>"
    body = "".join(
        f"<tr><td>{escape(short_name(row.model))}</td>"
        + (f"<td>{escape(row.tag or '(none)')}</td>" if by_tag else "")
        + f'<td class="n">{row.passed}</td><td class="n">{row.items}</td>'
        f'<td class="n">{row.rate:.1%}</td><td class="n">{row.low:.1%} – {row.high:.1%}</td>'
        f'<td class="n">{row.mean_score:.3f}</td>'
        + (f'<td class="n">{row.unread}</td>' if unread else "")
        + (f'<td class="n">{row.read_by_judge}</td>' if by_judge else "")
        + (_detection_cells(row) if detection else "")
        + "</tr>"
        for row in rows
    )
    note = (
        '<p class="note">Unread: answers from which no option could be read (VLMEvalKit would '
        "ask a judge model about them); they count as not passed.</p>"
        if unread
        else ""
    )
    if by_judge:
        note += (
            '<p class="note">Read by judge: answers the rules left unread whose option a judge '
            "model read instead; they are scored by its reading, and the rules' own score is "
            "shown below.</p>"
        )
    note += _GROUNDING_NOTES.get(metric, "") if metric else ""
    return f"<table>{head}{body}</table>{note}"


def _rule_only(rule_only: Sequence[ItemOutcome] | None) -> str:
    if rule_only is None:
        return ""
    scored = [outcome for outcome in rule_only if outcome.score is not None]
    return (
        "<h2>Scores by the rules alone (the reference's)</h2>"
        '<p class="note">The same answers read by the extraction rules only, as VLMEvalKit '
        "scores them before it asks a model: unread answers count as wrong.</p>"
        + _rows_table(scored, by_tag=False, metric="choice")
    )


_GROUNDING_NOTES: dict[MetricName, str] = {
    "iou": '<p class="note">Acc@0.5: the share of expressions whose first box overlaps the '
    "reference with IoU ≥ 0.5 (RefCOCO's precision@1, as lmms-eval and VLMEvalKit count it); "
    "mean IoU counts an answer with no box as 0. Each model's boxes are read in its one frame.</p>",
    "point": '<p class="note">Point accuracy: the share of items whose first point (or first '
    "box's centre) lies in the reference box, edges included.</p>",
    "detection": '<p class="note">Each answer\'s boxes are matched to the references at IoU ≥ '
    "0.5 greedily, as pycocotools' COCOeval.evaluateImg matches; precision and recall sum the "
    "boxes of every item before dividing. An item passes when every reference is found and no "
    "other box is given; the paired comparison is on items.</p>",
}


def _chart(outcomes: Sequence[ItemOutcome], *, by_tag: bool, title: str) -> str:
    bars = [
        Bar(
            label=short_name(row.model) + (f" · {row.tag or '(none)'}" if by_tag else ""),
            rate=row.rate,
            low=row.low,
            high=row.high,
            note=f"  ({row.passed}/{row.items})",
        )
        for row in score_table(outcomes, by_tag=by_tag)
    ]
    return interval_bars(bars, title=title) if bars else ""


def _sample(store: HistoryStore, outcomes: Sequence[ItemOutcome], passed: bool) -> str:
    chosen = [
        outcome
        for outcome in outcomes
        if outcome.score is not None and outcome.score.passed is passed
    ][:SAMPLE_EACH]
    if not chosen:
        return '<p class="note">None.</p>'
    blocks = []
    for outcome in chosen:
        assert outcome.score is not None
        run = store.get_run(outcome.run.id) or outcome.run
        references = run.answers or ((run.expected,) if run.expected else ())
        answer = run.error if run.failed else run.answer
        mark = '<b class="ok">right</b>' if passed else '<b class="bad">wrong</b>'
        boxes = ""
        if run.locate is not None:
            references = (run.locate.target,)
            boxes = f'<div class="note">{boxes_facts(run)}</div>'
        figure = boxes_figure(run)
        blocks.append(
            f'<div class="sample">{figure or _thumbnail(run)}<div>{mark} · '
            f"<b>{escape(short_name(outcome.model))}</b> · {escape(outcome.name)}"
            + (f" · {escape(outcome.tag)}" if outcome.tag else "")
            + f"<pre>{escape(clip(answer or '', ANSWER_CHARS))}</pre>"
            f'<div class="note">expected: {escape(" | ".join(references) or "-")} · score '
            f"{outcome.score.value:.2f}"
            + (f" · {escape(clip(outcome.score.how, 200))}" if outcome.score.how else "")
            + "</div>"
            + boxes
            + "</div></div>"
        )
    return "".join(blocks)


def _comparisons(outcomes: Sequence[ItemOutcome], models: Sequence[str]) -> str:
    found = comparisons(outcomes, models) + (
        comparisons(outcomes, models, by_tag=True)
        if any(outcome.tag for outcome in outcomes)
        else []
    )
    if not found:
        return '<p class="note">One model only: nothing to compare.</p>'
    items = "".join(
        f"<li>{'<b>' + escape(c.tag) + ':</b> ' if c.tag else ''}{escape(c.sentence)}</li>"
        for c in found
    )
    return f"<ul>{items}</ul>"


def _votes(store: HistoryStore, batch_id: str) -> str:
    from vision.scoring.ratings import battles, needs_pseudo_count, ratings
    from vision.scoring.votes import leaderboard

    votes = store.votes(batch_id=batch_id)
    if not votes:
        return '<p class="note">No blind votes on this batch.</p>'
    raw = {row.model: row for row in leaderboard(votes)}
    pseudo = needs_pseudo_count(battles(votes))
    rows = "".join(
        f"<tr><td>{escape(short_name(rating.model))}</td><td class='n'>{rating.rating:.0f}</td>"
        f"<td class='n'>{rating.low:.0f} – {rating.high:.0f}</td>"
        f"<td class='n'>{raw[rating.model].win_rate:.0%}</td>"
        f"<td class='n'>{raw[rating.model].votes}</td></tr>"
        for rating in ratings(votes)
    )
    return (
        "<table><tr><th>model</th><th>Bradley-Terry rating</th><th>95% bootstrap interval</th>"
        f"<th>raw win rate</th><th>votes</th></tr>{rows}</table>"
        '<p class="note">Ties count half a win each way, "both bad" as a tie (as on LMArena).'
        + (
            " A model never lost or never won, so the ratings include a pseudo-count of a tenth "
            "of a tie between every pair."
            if pseudo
            else ""
        )
        + "</p>"
    )


def render_report(
    store: HistoryStore,
    batch_id: str,
    outcomes: Sequence[ItemOutcome],
    *,
    scoring: str,
    models: Sequence[str],
    metric: MetricName | None = None,
    rule_only: Sequence[ItemOutcome] | None = None,
) -> str:
    """The report's HTML text (a grounding `metric` names its rates and adds its columns;
    `rule_only`: multiple choice scored without the judge's readings, shown beside)."""
    outcomes = [outcome for outcome in outcomes if outcome.score is not None]
    tagged = any(outcome.tag for outcome in outcomes)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        f"<h1>Batch {escape(batch_id)}</h1>",
        f'<p class="note">{len(outcomes)} scored item answers · scored by '
        f"{escape(scoring)} · written {when}. Intervals are 95% Wilson score intervals; "
        "comparisons are exact McNemar tests on the items both models answered.</p>",
        "<h2>Scores per model</h2>",
        _rows_table(outcomes, by_tag=False, metric=metric),
        _chart(outcomes, by_tag=False, title="Pass rate per model"),
        _rule_only(rule_only),
        repeats_section(outcomes),
    ]
    if tagged:
        sections += [
            "<h2>Scores per model and tag</h2>",
            _rows_table(outcomes, by_tag=True, metric=metric),
            _chart(outcomes, by_tag=True, title="Pass rate per model and tag"),
        ]
    sections += [
        "<h2>Paired comparison</h2>",
        _comparisons(outcomes, models),
        "<h2>Blind votes</h2>",
        _votes(store, batch_id),
        judging_section(store, batch_id, models),
        "<h2>Right answers (a sample)</h2>",
        (
            f'<p class="note">Boxes are in the original image\'s pixels; {LEGEND}.</p>'
            if any(outcome.run.locate is not None for outcome in outcomes)
            else ""
        ),
        _sample(store, outcomes, True),
        "<h2>Wrong answers (a sample)</h2>",
        _sample(store, outcomes, False),
    ]
    return page(f"Batch {batch_id}", sections)


def page(title: str, sections: Sequence[str]) -> str:
    """A whole HTML document around the sections: our style (light, and dark where the reader's
    system is), and a policy that loads nothing."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        + "".join(sections)
        + "</body></html>\n"
    )


def report_for_batch(
    store: HistoryStore,
    batch_id: str,
    outcomes: Sequence[ItemOutcome],
    *,
    scoring: str,
    metric: MetricName | None = None,
    rule_only: Sequence[ItemOutcome] | None = None,
) -> str:
    """The report of a batch, its models in the order they first answered."""
    models = list(dict.fromkeys(outcome.model for outcome in outcomes))
    return render_report(
        store, batch_id, outcomes, scoring=scoring, models=models, metric=metric,
        rule_only=rule_only,
    )  # fmt: skip
