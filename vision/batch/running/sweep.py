"""A resolution sweep: the same items at several Qwen token budgets or longest sides (which set
Llama's tile canvas), one kept batch per setting, scored side by side against the tokens and
the cost each setting used: how small can the images be before the answers (or, scored by a
grounding metric, the boxes) get worse?"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from vision.batch.recorded.spec import BatchSpec
from vision.batch.running.ask import new_batch_id
from vision.batch.running.resume import Observers, RecordedSettings, run_recorded
from vision.errors import RequestError
from vision.history.store import HistoryStore
from vision.images.profiles import MAX_QWEN_TOKEN_BUDGET, MIN_QWEN_TOKEN_BUDGET
from vision.scoring.summary import Scoring, reads_images, score_runs, score_table
from vision.values.batch import BatchProgress, BatchResult, Resolution, SweepPoint
from vision.values.request import ChatClient
from vision.values.result import ModelInfo, Usage


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """A resolution sweep: the batch asked at each setting, how its answers are scored, the
    prices they are costed at (a model's id to its /models entry), and whether answers already
    in the history may be served again."""

    base: BatchSpec
    settings: tuple[Resolution, ...]
    scoring: Scoring
    prices: Mapping[str, ModelInfo] = field(default_factory=dict, repr=False)
    use_cache: bool = True


def resolutions(budgets: Sequence[int] = (), sides: Sequence[int] = ()) -> list[Resolution]:
    """The settings to sweep: each token budget, each longest side (not both at once)."""
    if budgets and sides:
        raise RequestError("Sweep token budgets or longest sides, not both at once.")
    found = [Resolution(token_budget=budget) for budget in budgets]
    found += [Resolution(max_side=side) for side in sides]
    if len(found) < 2:
        raise RequestError("A sweep needs at least two settings, e.g. --budgets 256,512,1280.")
    outside = [b for b in budgets if not MIN_QWEN_TOKEN_BUDGET <= b <= MAX_QWEN_TOKEN_BUDGET]
    if outside:
        # Checked before anything is asked: a budget out of range fails every one of its jobs.
        raise RequestError(
            f"A token budget of {outside[0]} is out of range: each must be between "
            f"{MIN_QWEN_TOKEN_BUDGET} and {MAX_QWEN_TOKEN_BUDGET}."
        )
    if any(side < 28 for side in sides):
        raise RequestError("Each side must be at least 28 px; give larger values.")
    return found


def _cost(info: ModelInfo | None, usage: Usage) -> float | None:
    if info is None or info.input_token_price is None or info.output_token_price is None:
        return None
    return (usage.prompt_tokens or 0) * info.input_token_price + (
        usage.completion_tokens or 0
    ) * info.output_token_price


def sweep_points(
    store: HistoryStore,
    batch_id: str,
    resolution: Resolution,
    scoring: Scoring,
    prices: Mapping[str, ModelInfo],
) -> list[SweepPoint]:
    """One batch of a sweep scored: a point per model."""
    runs = store.batch_runs(batch_id, images=reads_images(scoring), thumbnails=False)
    rows = {row.model: row for row in score_table(score_runs(runs, scoring))}
    points = []
    for model in dict.fromkeys(run.model for run in runs):
        row = rows.get(model)
        mine = [run for run in runs if run.model == model and not run.failed]
        tokens = [run.usage.prompt_tokens for run in mine if run.usage.prompt_tokens is not None]
        costs = [_cost(prices.get(model), run.usage) for run in mine]
        errors = [run.error for run in runs if run.model == model and run.error]
        points.append(
            SweepPoint(
                resolution=resolution,
                batch_id=batch_id,
                model=model,
                items=row.items if row else 0,
                passed=row.passed if row else 0,
                rate=row.rate if row else 0.0,
                low=row.low if row else 0.0,
                high=row.high if row else 1.0,
                mean_score=row.mean_score if row else 0.0,
                mean_prompt_tokens=sum(tokens) / len(tokens) if tokens else None,
                cost=None if not costs or None in costs else sum(c or 0.0 for c in costs),
                failed=len(errors),
                first_error=errors[0] if errors else None,
                precision=row.detection.precision if row and row.detection else None,
                recall=row.detection.recall if row and row.detection else None,
            )
        )
    return points


def run_sweep(
    client: ChatClient,
    store: HistoryStore,
    sweep: Sweep,
    *,
    on_result: Callable[[BatchResult], None] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
    on_setting: Callable[[Resolution, str], None] | None = None,
) -> list[SweepPoint]:
    """Each setting as a kept batch of its own (resumable like any other), then every point."""
    points: list[SweepPoint] = []
    asked = RecordedSettings(new=True, use_cache=sweep.use_cache)
    observers = Observers(on_result=on_result, on_progress=on_progress)
    for resolution in sweep.settings:
        batch_id = new_batch_id()
        spec = replace(
            sweep.base, token_budget=resolution.token_budget, max_side=resolution.max_side
        )
        if on_setting is not None:
            on_setting(resolution, batch_id)
        run_recorded(client, store, batch_id, spec, asked, observers)
        points += sweep_points(store, batch_id, resolution, sweep.scoring, sweep.prices)
    return points
