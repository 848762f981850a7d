"""The Batch page's sweep: the batch's items asked at several Qwen token budgets, longest sides
(Llama's canvas) or reasoning efforts, then score against tokens and against cost, a line per
model: how small can the images be, or how little may a model think, before the answers get
worse? (docs/evaluation.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import streamlit as st

from ui.batch.inputs import BatchPlan
from ui.shared.charts import line_charts, percent_column
from ui.shared.session import (
    BATCH_SWEEP_KEY,
    BATCH_SWEEP_KIND_KEY,
    BATCH_SWEEP_METRIC_KEY,
    BATCH_SWEEP_VALUES_KEY,
)
from vision.api.catalog import Catalog, short_name
from vision.api.reasoning import reasoning_models
from vision.batch.recorded.spec import kept_spec
from vision.batch.running.sweep import Sweep, efforts, resolutions, run_sweep, sweep_problem
from vision.connection import Backend, new_client
from vision.errors import RequestError, VisionError
from vision.history.store import HistoryStore
from vision.scoring.metrics import METRIC_LABELS, METRICS, MetricName
from vision.values.batch import SweepPoint, SweepSetting

SweepKind = Literal["budgets", "sides", "efforts"]
KIND_LABELS: dict[SweepKind, str] = {
    "budgets": "Token budgets (Qwen)",
    "sides": "Longest sides in px (Llama's canvas)",
    "efforts": "Reasoning efforts",
}
DEFAULT_VALUES: dict[SweepKind, str] = {
    "budgets": "256,512,1280",
    "sides": "560,1120",
    "efforts": "low,medium,high",
}
TOKENS = "prompt tokens per answer"
COMPLETION = "completion tokens per answer"
REASONING = "reasoning tokens per answer"
COST = "cost"
RATE = "pass rate"


def _parts(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def sweep_settings(kind: SweepKind, text: str) -> list[SweepSetting]:
    """The settings a user wrote ("256, 512, 1280", "low, high"), or a sentence saying how to
    write them."""
    parts = _parts(text)
    if kind == "efforts":
        return efforts(parts)
    if not all(part.isdigit() for part in parts):
        raise RequestError(
            f"Write the settings as whole numbers separated by commas, e.g. {DEFAULT_VALUES[kind]}."
        )
    numbers = [int(part) for part in parts]
    if kind == "budgets":
        return resolutions(budgets=numbers)
    return resolutions(sides=numbers)


def _rounded(value: float | None) -> int | None:
    return round(value) if value is not None else None


def point_rows(points: Sequence[SweepPoint]) -> list[dict[str, Any]]:
    """One row per setting and model (settings in the order given, models by name): its score
    with interval, its tokens (prompt, completion and the reasoning's share) and its cost."""
    order = {point.setting: number for number, point in enumerate(points)}
    points = sorted(points, key=lambda point: (order[point.setting], short_name(point.model)))
    return [
        {
            "setting": point.setting.label,
            "model": short_name(point.model),
            RATE: round(point.rate * 100, 1) if point.items else None,
            "95% interval": f"{point.low:.0%} – {point.high:.0%}" if point.items else "not scored",
            "passed": point.passed,
            "checked": point.items,
            TOKENS: round(point.mean_prompt_tokens) if point.mean_prompt_tokens else None,
            COMPLETION: _rounded(point.mean_completion_tokens),
            REASONING: _rounded(point.mean_reasoning_tokens),
            COST: point.cost,
            "batch": point.batch_id,
        }
        for point in points
    ]


def _run(
    backend: Backend,
    store: HistoryStore,
    sweep: Sweep,
) -> list[SweepPoint]:
    shown = st.progress(0.0, text="Starting the sweep…")
    started: list[SweepSetting] = []
    total = len(sweep.settings)

    def setting(chosen: SweepSetting, batch_id: str) -> None:
        started.append(chosen)
        shown.progress(
            (len(started) - 1) / total,
            text=f"Asking at {chosen.label} ({len(started)} of {total})…",
        )

    with new_client(backend) as client:
        points = run_sweep(client, store, sweep, on_setting=setting)
    shown.empty()
    return points


def draw_sweep(points: Sequence[SweepPoint], metric: MetricName) -> None:
    """The sweep's table and its charts of score against tokens (prompt tokens for image
    sizes, completion tokens for efforts) and against cost."""
    rows = point_rows(points)
    by_effort = any(point.setting.axis == "effort" for point in points)
    kind = "Reasoning effort sweep" if by_effort else "Resolution sweep"
    st.markdown(f"**{kind}** · scored by {METRIC_LABELS[metric]}")
    config = {
        RATE: percent_column(RATE),
        COST: st.column_config.NumberColumn(COST, format="%.6f"),
        TOKENS: st.column_config.NumberColumn(TOKENS, format="%d"),
        COMPLETION: st.column_config.NumberColumn(COMPLETION, format="%d"),
        REASONING: st.column_config.NumberColumn(REASONING, format="%d"),
    }
    st.dataframe(rows, hide_index=True, column_config=config, key="sweep_points")
    if not any(point.items for point in points):
        st.caption("Nothing to chart: no item has an expected answer to score against.")
        return
    tokens = ("Score against completion tokens", COMPLETION) if by_effort else (
        "Score against prompt tokens", TOKENS
    )  # fmt: skip
    line_charts(rows, y=RATE, series="model", xs=[tokens, ("Score against cost", COST)])


def sweep_panel(
    backend: Backend | None,
    store: HistoryStore,
    catalog: Catalog | None,
    plan: BatchPlan,
    *,
    disabled: bool,
    queued: bool = False,
) -> None:
    """The sweep's settings and its Run button (on the inputs' items), then its results."""
    listed = {info.id: info for info in catalog.models} if catalog is not None else {}
    kinds: list[SweepKind] = ["budgets", "sides"]
    if reasoning_models(plan.models, listed):
        kinds.append("efforts")  # offered only when a chosen model reasons
    with st.expander("Sweep: the same items at several image sizes or reasoning efforts"):
        kind: SweepKind = st.radio(
            "Sweep",
            kinds,
            key=BATCH_SWEEP_KIND_KEY,
            format_func=KIND_LABELS.__getitem__,
            horizontal=True,
            disabled=disabled,
        )
        text = st.text_input(
            "Settings",
            key=f"{BATCH_SWEEP_VALUES_KEY}_{kind}",
            value=DEFAULT_VALUES[kind],
            disabled=disabled,
            help="Comma-separated. Budgets cap a Qwen-style model's image tokens; sides shrink "
            "each image first, which picks a Llama 3.2 canvas (560 px: one tile, 1120: four); "
            "efforts (none, low, medium, high) set how long a reasoning model thinks.",
        )
        metric: MetricName = st.selectbox(
            "Score with",
            METRICS,
            key=BATCH_SWEEP_METRIC_KEY,
            format_func=lambda name: METRIC_LABELS[name].capitalize(),
            disabled=disabled,
        )
        problem = plan.problem
        settings: list[SweepSetting] = []
        try:
            settings = sweep_settings(kind, text)
        except RequestError as err:
            problem = problem or str(err)
        if settings and problem is None:
            problem = sweep_problem(settings, plan.models, listed)
        if queued:
            problem = "In team mode the workers run batches: sweep with `vision sweep` instead."
        jobs = len(settings) * plan.count * len(plan.models)
        clicked = st.button(
            "Run sweep",
            key="batch_sweep_run",
            icon=":material/tune:",
            disabled=disabled or problem is not None,
            help=f"{jobs} requests: every item × model at each setting, each a batch of its own.",
        )
        if problem and not disabled:
            st.caption(f":material/block: {problem}")
        if clicked and backend is not None and catalog is not None and problem is None:
            assert plan.items is not None  # inputs without items always have a problem
            try:
                base = kept_spec(
                    store,
                    plan.items,
                    plan.models,
                    concurrency=plan.concurrency,
                    options=plan.options,
                    tag=plan.items.tag,
                )
                sweep = Sweep(
                    base=base,
                    settings=tuple(settings),
                    scoring=metric,
                    listed=listed,
                    use_cache=plan.use_cache,
                )
                points = _run(backend, store, sweep)
            except VisionError as err:
                st.error(str(err), icon=":material/error:")
            else:
                st.session_state[BATCH_SWEEP_KEY] = (points, metric)
        kept: tuple[list[SweepPoint], MetricName] | None = st.session_state.get(BATCH_SWEEP_KEY)
        if kept is not None:
            draw_sweep(*kept)
