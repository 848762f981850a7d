"""A batch's results: the grid (thumbnail, each model's answer, tokens, latency, errors, and a
reasoning model's reasoning apart from its answer), its share link in team mode, checks."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import streamlit as st

from ui.batch.item_answers import draw_item_answers, grid_clicked
from ui.batch.repeats import draw_repeats
from ui.shared.charts import bar_charts, percent_column
from ui.shared.session import BATCH_GRID_KEY
from ui.shared.sharing import share_control
from ui.shared.thumbnails import thumbnail_data_url
from vision.api.catalog import compact_name, short_name
from vision.batch.recorded.by_item import ItemRepeat, item_repeats, runs_by_item
from vision.markdown import literal
from vision.scoring.checks import model_stats
from vision.scoring.metrics import METRIC_LABELS, METRICS, MetricName
from vision.scoring.repeats import repeated
from vision.scoring.summary import (
    ItemOutcome,
    ScoreRow,
    comparisons,
    run_passed,
    score_runs,
    score_table,
)
from vision.values.run import Run

METRIC_TITLES: dict[MetricName, str] = {
    "contains": "Answer contains the expected text",
    "exact": "Answer equals the expected text",
    "regex": "Answer matches the expected pattern (regex)",
    **{name: METRIC_LABELS[name][0].upper() + METRIC_LABELS[name][1:] for name in METRICS[3:]},
}


def thumbnail_url(run: Run) -> str | None:
    """The run's first image as a small data URL for the grid, or its http(s) URL."""
    for image in run.images:
        if image.thumbnail:
            return thumbnail_data_url(image)
        if image.url:
            return image.url
    return None


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def grid_rows(
    rows: Sequence[ItemRepeat], models: Sequence[str], metric: MetricName
) -> list[dict[str, Any]]:
    """One row per image (per image and repeat when the batch asked each item several times):
    name, repeat, tag, expected, then per model its answer, tokens, latency (and, for a model
    that reasoned, its reasoning and reasoning tokens beside the answer)."""
    ordered: list[dict[str, Any]] = []
    for found in rows:
        item = found.runs
        row: dict[str, Any] = {
            "image": next((url for run in item if (url := thumbnail_url(run))), None),
            "item": found.label,
            "repeat": found.repeat + 1,
            "tag": item[0].tag or "",
            "expected": item[0].expected or "",
        }
        for run in item:
            name = short_name(run.model)
            row[f"{name} · answer"] = f"⚠ {run.error}" if run.failed else run.answer
            if run.reasoning:
                row[f"{name} · reasoning"] = run.reasoning
                row[f"{name} · reasoning tokens"] = run.usage.reasoning_tokens
            row[f"{name} · tokens"] = run.usage.total_tokens
            row[f"{name} · s"] = _seconds(run.latency_s)
            passed = run_passed(run, metric)
            if passed is not None:
                row[f"{name} · pass"] = passed
        ordered.append(row)
    # Every row gets every model's columns, in the chosen order, even where a job is missing.
    columns = ["image", "item", "repeat", "tag", "expected"]
    for model in models:
        name = short_name(model)
        columns.append(f"{name} · answer")
        if any(f"{name} · reasoning" in row for row in ordered):
            columns += [f"{name} · reasoning", f"{name} · reasoning tokens"]
        columns += [f"{name} · tokens", f"{name} · s"]
        if any(f"{name} · pass" in row for row in ordered):
            columns.append(f"{name} · pass")
    return [{column: row.get(column) for column in columns} for row in ordered]


def draw_grid(runs: Sequence[Run], models: Sequence[str], metric: MetricName) -> None:
    """The results grid, one row per image (and repeat), with a thumbnail column; in team mode,
    below it, the batch's Share (or its link and Stop sharing)."""
    items = runs_by_item(runs)
    repeats = item_repeats(items)
    rows = grid_rows(repeats, models, metric)
    if not rows:
        st.caption("No results yet.")
        return
    config: dict[str, Any] = {
        "image": st.column_config.ImageColumn("Image", width="small"),
        "item": st.column_config.TextColumn("Item"),
        "repeat": st.column_config.NumberColumn("Repeat", format="%d", width="small"),
    }
    for model in models:
        name = short_name(model)
        config[f"{name} · answer"] = st.column_config.TextColumn(f"{name}", width="large")
        config[f"{name} · reasoning"] = st.column_config.TextColumn("reasoning", width="medium")
        config[f"{name} · reasoning tokens"] = st.column_config.NumberColumn(
            "reasoning tokens", format="%d"
        )
        config[f"{name} · tokens"] = st.column_config.NumberColumn("tokens", format="%d")
        config[f"{name} · s"] = st.column_config.NumberColumn("latency", format="%.2f s")
        config[f"{name} · pass"] = st.column_config.CheckboxColumn("passed")
    if not any(row["repeat"] > 1 for row in rows):
        config["repeat"] = None
    if not any(row["tag"] for row in rows):
        config["tag"] = None
    if not any(row["expected"] for row in rows):
        config["expected"] = None
    st.dataframe(
        rows,
        column_config=config,
        hide_index=True,
        row_height=72,
        key=BATCH_GRID_KEY,
        # A row is an item's repeat: a click reads that item, every repeat of it, whole.
        on_select=partial(grid_clicked, tuple(found.position for found in repeats)),
        selection_mode="single-row",
    )
    draw_item_answers(items, models, metric)
    batch_id = next((run.batch_id for run in runs if run.batch_id), None)
    if batch_id is not None:
        share_control("batch", batch_id, key="batch_results")


def scored_by(metric: MetricName) -> None:
    """Which metric the results are scored with, chosen among the inputs."""
    st.caption(
        f":material/rule: Scored with “{METRIC_TITLES[metric]}”: choose another under Scoring "
        "above to score these answers again."
    )


def _detection(row: ScoreRow) -> dict[str, str]:
    """Detection's precision and recall at IoU 0.5, each with its 95% interval."""
    assert row.detection is not None
    (p_low, p_high), (r_low, r_high) = row.precision_interval, row.recall_interval
    return {
        "precision": f"{row.detection.precision:.0%} ({p_low:.0%} – {p_high:.0%})",
        "recall": f"{row.detection.recall:.0%} ({r_low:.0%} – {r_high:.0%})",
    }


def _rate_rows(
    outcomes: Sequence[ItemOutcome], metric: MetricName, *, by_tag: bool
) -> list[dict[str, Any]]:
    errors: dict[tuple[str, str | None], int] = {}
    for outcome in outcomes:
        key = (outcome.model, outcome.tag if by_tag else None)
        errors[key] = errors.get(key, 0) + outcome.run.failed
    return [
        {
            "model": short_name(row.model),
            **({"tag": row.tag or "(none)"} if by_tag else {}),
            "pass rate": round(row.rate * 100, 1),
            "95% interval": f"{row.low:.0%} – {row.high:.0%}",
            "passed": row.passed,
            "checked": row.items,
            **({"repeats": row.repeats} if repeated(outcomes) else {}),
            "mean score": round(row.mean_score, 3),
            **({"unread": row.unread} if metric == "choice" else {}),
            **(_detection(row) if row.detection is not None else {}),
            "errors": errors.get((row.model, row.tag), 0),
        }
        for row in score_table(outcomes, by_tag=by_tag)
    ]


def draw_pass_rates(runs: Sequence[Run], metric: MetricName) -> None:
    """Pass rate per model with its 95% interval, per tag when the items carry tags, what each
    comparison of two models supports, and with repeats their spread and the items that
    flipped."""
    outcomes = score_runs(runs, metric)
    overall = _rate_rows(outcomes, metric, by_tag=False)
    if not overall:
        st.caption(
            "No item has an expected answer: add an `expected` column to the CSV to check answers."
        )
        return
    rate = percent_column("pass rate")
    st.markdown("**Pass rate per model** (95% Wilson interval)")
    st.dataframe(overall, hide_index=True, column_config={"pass rate": rate}, key="pass_rates")
    if repeated(outcomes):
        st.caption(
            "Over every repeat: passed and checked count answers; the interval is over items, "
            "each counting its share of passed repeats, so repeats do not narrow it."
        )
    by_tag = _rate_rows(outcomes, metric, by_tag=True)
    tagged = any(row["tag"] != "(none)" for row in by_tag)
    if tagged:
        st.markdown("**Pass rate per model and tag**")
        st.dataframe(by_tag, hide_index=True, column_config={"pass rate": rate}, key="pass_tags")
    models = list(dict.fromkeys(run.model for run in runs))
    found = comparisons(outcomes, models) + (
        comparisons(outcomes, models, by_tag=True) if tagged else []
    )
    for comparison in found:
        where = f"**{comparison.tag}**: " if comparison.tag else ""
        st.markdown(f"{where}{literal(comparison.sentence)}")
    draw_repeats(outcomes)


def draw_model_stats(runs: Sequence[Run]) -> None:
    """Mean latency and tokens per model, as bar charts side by side."""
    stats = [stat for stat in model_stats(runs) if stat.runs > stat.errors]
    if not stats:
        return
    bar_charts(
        [compact_name(stat.model) for stat in stats],
        [
            ("Mean latency (s)", "seconds", [stat.mean_latency_s or 0.0 for stat in stats]),
            ("Mean total tokens", "tokens", [stat.mean_total_tokens or 0.0 for stat in stats]),
        ],
    )
