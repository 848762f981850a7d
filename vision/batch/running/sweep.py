"""A sweep: the same items at several settings of one kind (Qwen token budgets, longest sides
that set Llama's tile canvas, or reasoning efforts), one kept batch per setting, scored side by
side against the tokens and the cost each setting used: how small can the images be, or how
little may a model think, before the answers (or, scored by a grounding metric, the boxes) get
worse?"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from vision.api.reasoning import choose_reasoning, reasoning_models
from vision.batch.recorded.spec import BatchSpec
from vision.batch.running.ask import new_batch_id
from vision.batch.running.resume import Observers, RecordedSettings, run_recorded
from vision.errors import RequestError
from vision.history.store import HistoryStore
from vision.images.profiles import MAX_QWEN_TOKEN_BUDGET, MIN_QWEN_TOKEN_BUDGET
from vision.scoring.summary import Scoring, reads_images, score_runs, score_table
from vision.values.batch import (
    BatchProgress,
    BatchResult,
    Resolution,
    SweepPoint,
    SweepSetting,
)
from vision.values.request import ChatClient, effort_named, effort_problem
from vision.values.result import ModelInfo, Usage

MIN_SETTINGS = "A sweep needs at least two settings, e.g. --budgets 256,512,1280."


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """A sweep: the batch asked at each setting, how its answers are scored, and the models'
    /models entries (a model's id to its entry: the prices answers are costed at, and whether
    it reasons); whether answers already in the history may be served again."""

    base: BatchSpec
    settings: tuple[SweepSetting, ...]
    scoring: Scoring
    listed: Mapping[str, ModelInfo] = field(default_factory=dict, repr=False)
    use_cache: bool = True


def resolutions(budgets: Sequence[int] = (), sides: Sequence[int] = ()) -> list[SweepSetting]:
    """The settings to sweep: each token budget, each longest side (not both at once)."""
    if budgets and sides:
        raise RequestError("Sweep token budgets or longest sides, not both at once.")
    found = [Resolution(token_budget=budget) for budget in budgets]
    found += [Resolution(max_side=side) for side in sides]
    if len(found) < 2:
        raise RequestError(MIN_SETTINGS)
    outside = [b for b in budgets if not MIN_QWEN_TOKEN_BUDGET <= b <= MAX_QWEN_TOKEN_BUDGET]
    if outside:
        # Checked before anything is asked: a budget out of range fails every one of its jobs.
        raise RequestError(
            f"A token budget of {outside[0]} is out of range: each must be between "
            f"{MIN_QWEN_TOKEN_BUDGET} and {MAX_QWEN_TOKEN_BUDGET}."
        )
    if any(side < 28 for side in sides):
        raise RequestError("Each side must be at least 28 px; give larger values.")
    return [SweepSetting(resolution=resolution) for resolution in found]


def efforts(values: Sequence[str]) -> list[SweepSetting]:
    """The reasoning efforts to sweep ("low", "medium", "high"), each once, in the order given."""
    chosen = list(dict.fromkeys(value.strip().lower() for value in values if value.strip()))
    for value in chosen:
        problem = effort_problem(value)
        if problem:
            raise RequestError(problem)
    if len(chosen) < 2:
        raise RequestError("An effort sweep needs at least two efforts, e.g. low,medium,high.")
    return [SweepSetting(reasoning_effort=effort_named(value)) for value in chosen]


def sweep_problem(
    settings: Sequence[SweepSetting],
    models: Sequence[str],
    listed: Mapping[str, ModelInfo] | None = None,
) -> str | None:
    """Why a sweep of these settings over these models cannot run as asked (one sentence saying
    what to do), or None."""
    axes = {setting.axis for setting in settings}
    if len(axes) > 1:
        return "Sweep image sizes or reasoning efforts, not both at once."
    if len(settings) < 2:
        return MIN_SETTINGS
    if axes == {"effort"}:
        takers = reasoning_models(models, listed)
        others = [model.rsplit("/", 1)[-1] for model in models if model not in takers]
        if len(others) == 1:
            # Its requests would be the same at every effort: asked and paid for again.
            return (
                f"{others[0]} is not a reasoning model: an effort would not change its answers, "
                "so remove it from an effort sweep."
            )
        if others:
            return (
                f"{', '.join(others)} are not reasoning models: an effort would not change their "
                "answers, so remove them from an effort sweep."
            )
    return None


def _cost(info: ModelInfo | None, usage: Usage) -> float | None:
    if info is None or info.input_token_price is None or info.output_token_price is None:
        return None
    return (usage.prompt_tokens or 0) * info.input_token_price + (
        usage.completion_tokens or 0
    ) * info.output_token_price


def _mean(values: Sequence[int | None]) -> float | None:
    known = [value for value in values if value is not None]
    return sum(known) / len(known) if known else None


def sweep_points(
    store: HistoryStore,
    batch_id: str,
    setting: SweepSetting,
    scoring: Scoring,
    listed: Mapping[str, ModelInfo],
) -> list[SweepPoint]:
    """One batch of a sweep scored: a point per model."""
    runs = store.batch_runs(batch_id, images=reads_images(scoring), thumbnails=False)
    rows = {row.model: row for row in score_table(score_runs(runs, scoring))}
    points = []
    for model in dict.fromkeys(run.model for run in runs):
        row = rows.get(model)
        mine = [run for run in runs if run.model == model and not run.failed]
        costs = [_cost(listed.get(model), run.usage) for run in mine]
        errors = [run.error for run in runs if run.model == model and run.error]
        points.append(
            SweepPoint(
                setting=setting,
                batch_id=batch_id,
                model=model,
                items=row.items if row else 0,
                passed=row.passed if row else 0,
                rate=row.rate if row else 0.0,
                low=row.low if row else 0.0,
                high=row.high if row else 1.0,
                mean_score=row.mean_score if row else 0.0,
                mean_prompt_tokens=_mean([run.usage.prompt_tokens for run in mine]),
                cost=None if not costs or None in costs else sum(c or 0.0 for c in costs),
                failed=len(errors),
                first_error=errors[0] if errors else None,
                precision=row.detection.precision if row and row.detection else None,
                recall=row.detection.recall if row and row.detection else None,
                mean_completion_tokens=_mean([run.usage.completion_tokens for run in mine]),
                mean_reasoning_tokens=_mean([run.usage.reasoning_tokens for run in mine]),
            )
        )
    return points


def setting_spec(sweep: Sweep, setting: SweepSetting) -> BatchSpec:
    """The batch asked at one setting: the base at this resolution, or at this effort."""
    if setting.reasoning_effort is not None:
        chosen = choose_reasoning(setting.reasoning_effort, sweep.base.models, sweep.listed)
        return sweep.base.with_reasoning(chosen)
    return replace(
        sweep.base,
        token_budget=setting.resolution.token_budget,
        max_side=setting.resolution.max_side,
    )


def run_sweep(
    client: ChatClient,
    store: HistoryStore,
    sweep: Sweep,
    *,
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    on_setting: Callable[[SweepSetting, str], None] | None = None,
) -> list[SweepPoint]:
    """Each setting as a kept batch of its own (resumable like any other), then every point."""
    problem = sweep_problem(sweep.settings, sweep.base.models, sweep.listed)
    if problem:
        raise RequestError(problem)
    points: list[SweepPoint] = []
    asked = RecordedSettings(new=True, use_cache=sweep.use_cache)
    observers = Observers(on_result=on_result, on_progress=on_progress)
    for setting in sweep.settings:
        batch_id = new_batch_id()
        if on_setting is not None:
            on_setting(setting, batch_id)
        run_recorded(client, store, batch_id, setting_spec(sweep, setting), asked, observers)
        points += sweep_points(store, batch_id, setting, sweep.scoring, sweep.listed)
    return points
