"""A batch's answers scored: one outcome per item and model, pass rates with 95% Wilson
intervals per model and tag, and each pair of models compared on the items both answered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from vision.grounding.scores import DetectionScores
from vision.scoring.choice import rotation_base
from vision.scoring.choice_reading import read_by_judge
from vision.scoring.grounding import GROUNDING_METRICS, grounding_score
from vision.scoring.intervals import wilson
from vision.scoring.metrics import MetricName, Score, score_answer
from vision.scoring.paired import PairedComparison, compare_pair
from vision.values.judgement import Judgement
from vision.values.run import Run

Scoring = MetricName | Literal["judge"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemOutcome:
    """One model's score on one item (all rotations of a circular question together); None
    for an item with nothing to score it against."""

    model: str
    tag: str | None
    key: str
    name: str
    score: Score | None
    run: Run = field(repr=False)
    repeat: int = 0  # which time the item was asked (0: the first, or the only)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreRow:
    """A model's pass rate (and mean score) on a set of items, with its 95% interval, and how
    many of its answers could not be read (multiple choice; they count as not passed) and how
    many a judge model read instead. In a repeated batch `items` and `passed` count answers
    (each item once per repeat) and the interval is over items (docs/metrics.md)."""

    model: str
    tag: str | None
    items: int
    passed: int
    mean_score: float
    low: float
    high: float
    unread: int = 0
    read_by_judge: int = 0
    repeats: int = 1
    # Detection: the boxes matched, predicted and referenced over these items.
    detection: DetectionScores | None = None

    @property
    def rate(self) -> float:
        """Passed over items."""
        return self.passed / self.items if self.items else 0.0

    @property
    def precision_interval(self) -> tuple[float, float]:
        """Detection precision's 95% Wilson interval (matched boxes of those predicted)."""
        counts = self.detection
        return wilson(counts.true_positives, counts.predictions) if counts else (0.0, 1.0)

    @property
    def recall_interval(self) -> tuple[float, float]:
        """Detection recall's 95% Wilson interval (references found of those given)."""
        counts = self.detection
        return wilson(counts.true_positives, counts.references) if counts else (0.0, 1.0)


def final_runs(runs: Iterable[Run]) -> list[Run]:
    """The run that counts for each item, model and repeat: its newest answer, else its newest
    error."""
    chosen: dict[tuple[int, str, int], Run] = {}
    for run in runs:
        key = (run.item_index or 0, run.model, run.repeat)
        held = chosen.get(key)
        if held is None or not run.failed or held.failed:
            chosen[key] = run
    return sorted(chosen.values(), key=lambda run: (run.item_index or 0, run.model, run.repeat))


def _one(
    run: Run,
    scoring: Scoring,
    judged: Mapping[int, Judgement],
    readings: Mapping[int, Judgement] | None = None,
) -> Score | None:
    if scoring == "choice" and readings and run.id in readings:
        return read_by_judge(run, readings[run.id])
    if scoring == "judge":
        judgement = judged.get(run.id)
        if judgement is None:
            return None if not run.failed else Score(value=0.0, passed=False, how=run.error or "")
        return Score(value=judgement.score, passed=judgement.passed, how=judgement.reason)
    for metric in GROUNDING_METRICS:
        if scoring == metric:
            return grounding_score(run, metric)
    references = run.answers or ((run.expected,) if run.expected else ())
    if not references:
        return None
    if run.failed:
        return Score(value=0.0, passed=False, how=run.error or "")
    return score_answer(scoring, run.answer, references, run.choices)


def score_runs(
    runs: Iterable[Run],
    scoring: Scoring,
    *,
    judgements: Iterable[Judgement] = (),
    readings: Iterable[Judgement] = (),
    unscored: bool = False,
) -> list[ItemOutcome]:
    """Each item's outcome per model (and repeat); the rotations of a circular question pass
    only together. `readings`: a judge model's reading of multiple-choice answers the rules
    left unread (vision/scoring/choice_reading.py), used for those answers only. With
    unscored, items without a reference are kept too (score None), for the outputs."""
    judged = {judgement.run_id: judgement for judgement in judgements}
    read = {reading.run_id: reading for reading in readings}
    grouped: dict[tuple[str, str, int], list[tuple[Run, Score | None]]] = defaultdict(list)
    for run in final_runs(runs):
        score = _one(run, scoring, judged, read)
        if score is None and not unscored:
            continue
        base = rotation_base(run.item_name or "")
        key = f"q:{base}" if base is not None else f"i:{run.item_index or 0}"
        grouped[(run.model, key, run.repeat)].append((run, score))
    outcomes = []
    for (model, key, repeat), scored in grouped.items():
        first = scored[0][0]
        scores = [score for _, score in scored if score is not None]
        final: Score | None
        if len(scored) == 1 or len(scores) != len(scored):
            final = scored[0][1]
        else:
            final = _circular(scores)
        name = key[2:] if key.startswith("q:") else first.item_name or key[2:]
        outcomes.append(
            ItemOutcome(
                model=model,
                tag=first.tag,
                key=key,
                name=name,
                score=final,
                run=first,
                repeat=repeat,
            )
        )
    return outcomes


def _circular(scores: Sequence[Score]) -> Score:
    """A question's rotations together, by VLMEvalKit's circular rule: passed when every
    rotation is; failed when one was read wrong; else unread (some could not be read)."""
    passed = all(score.passed for score in scores)
    unread = sum(score.unread for score in scores)
    read_wrong = any(not score.passed and not score.unread for score in scores)
    by_judge = sum(score.read_by_judge for score in scores)
    how = f"circular: {sum(score.passed for score in scores)} of {len(scores)} rotations"
    how += f", {unread} unread" if unread else ""
    return Score(
        value=float(passed),
        passed=passed,
        how=how + (f", {by_judge} read by the judge" if by_judge else ""),
        unread=not passed and not read_wrong,
        read_by_judge=by_judge > 0,
    )


def score_table(outcomes: Sequence[ItemOutcome], *, by_tag: bool = False) -> list[ScoreRow]:
    """Pass rate, mean score, unread answers and those a judge read, per model (and per tag
    with by_tag), with Wilson intervals; over items, each counting the share of its repeats
    that passed, when the batch asked each item several times."""
    groups: dict[tuple[str, str | None], list[ItemOutcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.score is not None:
            groups[(outcome.model, outcome.tag if by_tag else None)].append(outcome)
    rows = []
    for (model, tag), scored in sorted(groups.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])):
        members = [outcome.score for outcome in scored if outcome.score is not None]
        passed = sum(member.passed for member in members)
        shares = item_shares(scored)
        low, high = wilson(sum(shares.values()), len(shares))
        counted = [member.detection for member in members if member.detection is not None]
        rows.append(
            ScoreRow(
                model=model,
                tag=tag,
                items=len(members),
                passed=passed,
                mean_score=sum(member.value for member in members) / len(members),
                low=low,
                high=high,
                unread=sum(member.unread for member in members),
                read_by_judge=sum(member.read_by_judge for member in members),
                repeats=max(outcome.repeat for outcome in scored) + 1,
                detection=_summed(counted) if counted else None,
            )
        )
    return rows


def _summed(counts: Sequence[DetectionScores]) -> DetectionScores:
    """Detection counts over several items, summed before any division (micro-averaged)."""
    return DetectionScores(
        true_positives=sum(count.true_positives for count in counts),
        predictions=sum(count.predictions for count in counts),
        references=sum(count.references for count in counts),
    )


def comparisons(
    outcomes: Sequence[ItemOutcome], models: Sequence[str], *, by_tag: bool = False
) -> list[PairedComparison]:
    """Every pair of models compared (exact McNemar) on the items both were scored on; with
    repeats, on each item's share of passed repeats (docs/metrics.md)."""
    tags: list[str | None] = [None]
    if by_tag:
        tags = [*sorted({outcome.tag for outcome in outcomes if outcome.tag})]
    repeats = max((outcome.repeat for outcome in outcomes), default=0) + 1
    found = []
    for tag in tags:
        chosen: dict[str, list[ItemOutcome]] = defaultdict(list)
        for outcome in outcomes:
            if outcome.score is not None and (tag is None or outcome.tag == tag):
                chosen[outcome.model].append(outcome)
        shares = {model: item_shares(members) for model, members in chosen.items()}
        for a, b in combinations([model for model in models if model in shares], 2):
            found.append(compare_pair(a, b, shares[a], shares[b], tag=tag, repeats=repeats))
    return found


def item_shares(outcomes: Iterable[ItemOutcome]) -> dict[str, float]:
    """Each item's share of passed answers over its repeats (1.0 or 0.0 when asked once)."""
    answers: dict[str, list[bool]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.score is not None:
            answers[outcome.key].append(outcome.score.passed)
    return {key: sum(passed) / len(passed) for key, passed in answers.items()}


def reads_images(scoring: Scoring) -> bool:
    """True when a scoring reads the runs' image records: a grounding metric maps each box
    back through the sizes they keep (text scores read none)."""
    return scoring in GROUNDING_METRICS


def run_passed(run: Run, scoring: MetricName) -> bool | None:
    """Whether one run passed under a metric; None when it has nothing to be scored against."""
    score = _one(run, scoring, {})
    return None if score is None else score.passed
