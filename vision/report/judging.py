"""The report's judge section: for each judge model and rubric used on a batch, whether it saw
the images, its pairwise verdicts per pair of models with the share that changed when the
answers swapped places, and its agreement with people's blind votes on the same pairs."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from vision.api.catalog import short_name
from vision.markdown import clip
from vision.scoring.agreement import judge_agreement
from vision.scoring.choice_reading import READING
from vision.scoring.pair_results import pairwise_rows

if TYPE_CHECKING:
    from vision.history.store import HistoryStore
    from vision.values.judgement import PairVerdict
    from vision.values.run import Vote


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def saw_sentence(seen: int, judged: int, noun: str, verb: str) -> str:
    """Whether the judge saw the images of what it judged, as one sentence: ("answer",
    "graded") reads "the 3 answers it graded"."""
    what = f"{judged} {noun}{'' if judged == 1 else 's'} it {verb}"
    if judged and seen == judged:
        return f"The judge saw the images of the {what}, as each model received them."
    if seen == 0:
        return f"The judge read the {what} as text only: it saw no image."
    return (
        f"The judge saw the images of {seen} of the {what}; the others it read as text only "
        "(their originals were not kept, or could not be prepared again as sent)."
    )


def _pairwise_table(verdicts: Sequence[PairVerdict], models: Sequence[str]) -> str:
    head = (
        "<tr><th>A</th><th>B</th><th>pairs</th><th>changed with the order</th>"
        "<th>95% interval</th><th>A wins</th><th>B wins</th><th>ties</th>"
        "<th>A's win rate</th><th>A's win rate, MT-Bench</th></tr>"
    )
    body = ""
    for row in pairwise_rows(verdicts, models):
        low, high = row.inconsistent_interval
        body += (
            f"<tr><td>{escape(short_name(row.model_a))}</td>"
            f"<td>{escape(short_name(row.model_b))}</td><td class='n'>{row.pairs}</td>"
            f"<td class='n'>{row.inconsistent} ({row.inconsistent_share:.1%})</td>"
            f"<td class='n'>{low:.1%} – {high:.1%}</td><td class='n'>{row.wins_a}</td>"
            f"<td class='n'>{row.wins_b}</td><td class='n'>{row.ties}</td>"
            f"<td class='n'>{_percent(row.win_rate_a)}</td>"
            f"<td class='n'>{_percent(row.mt_bench_win_rate_a)}</td></tr>"
        )
    return (
        f"<table>{head}{body}</table><p class='note'>Each pair was judged twice, the answers' "
        "places swapped; a verdict that changed with the order does not count. A's win rate "
        "is over the consistent verdicts (a tie counts half); MT-Bench counts a changed verdict "
        "as a tie instead.</p>"
    )


def _agreement(verdicts: Sequence[PairVerdict], votes: Sequence[Vote]) -> str:
    if not votes:
        return "<p class='note'>No blind votes on this batch to compare the judge with.</p>"
    found = judge_agreement(verdicts, votes)
    left = (
        f"{found.inconsistent} vote(s) on pairs the judge answered inconsistently and "
        f"{found.unjudged} on pairs it did not compare are left out."
    )
    if not found.compared:
        return f"<p class='note'>No vote to compare with the judge's verdicts. {left}</p>"
    low, high = found.interval
    kappa = found.kappa
    kappa_cells = (
        f"<td class='n'>{kappa.value:.2f}</td><td class='n'>{kappa.low:.2f} – {kappa.high:.2f}</td>"
        if kappa.value is not None and kappa.low is not None and kappa.high is not None
        else "<td>undefined</td><td>–</td>"
    )
    return (
        "<table><tr><th>votes compared</th><th>agreed</th><th>agreement</th>"
        "<th>95% interval</th><th>Cohen's kappa</th><th>95% interval</th></tr>"
        f"<tr><td class='n'>{found.compared}</td><td class='n'>{found.agreed}</td>"
        f"<td class='n'>{found.rate:.1%}</td><td class='n'>{low:.1%} – {high:.1%}</td>"
        f"{kappa_cells}</tr></table><p class='note'>People's blind votes on the same two "
        'answers against the judge\'s consistent verdicts: A, B or a tie ("both bad" counts '
        "as a tie). The agreement's interval is Wilson's; kappa's is from its large-sample "
        f"variance (Fleiss, Cohen and Everitt 1969). {left}</p>"
    )


def judging_section(store: HistoryStore, batch_id: str, models: Sequence[str]) -> str:
    """The judge section's HTML, or an empty string when no judge looked at the batch."""
    blocks = []
    for judge, rubric in store.batch_judges(batch_id):
        graded = store.judgements(batch_id, judge_model=judge, rubric=rubric)
        if rubric == READING:
            blocks.append(
                f"<h3>{escape(short_name(judge))}</h3><p>Read {len(graded)} multiple-choice "
                "answer(s) the rules left unread, as text.</p>"
            )
            continue
        blocks.append(
            f"<h3>{escape(short_name(judge))}</h3><p class='note'>Rubric: "
            f"{escape(clip(rubric, 300))}</p>"
        )
        if graded:
            seen = sum(judgement.saw_images for judgement in graded)
            blocks.append(f"<p>{escape(saw_sentence(seen, len(graded), 'answer', 'graded'))}</p>")
        verdicts = store.pair_verdicts(batch_id, judge_model=judge, rubric=rubric)
        if verdicts:
            seen = sum(verdict.saw_images for verdict in verdicts)
            blocks += [
                f"<p>{escape(saw_sentence(seen, len(verdicts), 'pair', 'compared'))}</p>",
                _pairwise_table(verdicts, models),
                "<h4>Agreement with people</h4>",
                _agreement(verdicts, store.votes(batch_id=batch_id)),
            ]
    return "<h2>Judge</h2>" + "".join(blocks) if blocks else ""
