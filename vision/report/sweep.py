"""A sweep's report: score against tokens (prompt tokens for image sizes, completion tokens for
reasoning efforts) and against cost, one line per model, and the table behind them;
self-contained like the batch report."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from vision.api.catalog import short_name
from vision.report.charts import Point, score_lines
from vision.report.html import page
from vision.scoring.metrics import MEAN_NAMES, PASS_NAMES, MetricName
from vision.values.batch import SweepPoint


def _x(point: SweepPoint, x: str) -> float | None:
    if x == "prompt":
        return point.mean_prompt_tokens
    if x == "completion":
        return point.mean_completion_tokens
    return point.cost


def _lines(points: Sequence[SweepPoint], x: str) -> dict[str, list[Point]]:
    lines: dict[str, list[Point]] = {}
    for point in points:
        value = _x(point, x)
        if value is None:
            continue
        lines.setdefault(short_name(point.model), []).append(
            Point(x=value, y=point.rate, label=point.setting.label)
        )
    return lines


def _detection_cells(point: SweepPoint) -> str:
    if point.precision is None or point.recall is None:
        return "<td></td><td></td>"
    return f"<td class='n'>{point.precision:.1%}</td><td class='n'>{point.recall:.1%}</td>"


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render_sweep(
    points: Sequence[SweepPoint], *, scoring: str, metric: MetricName | None = None
) -> str:
    """The sweep report's HTML text (a grounding `metric` names its rate and mean, and a
    detection sweep adds precision and recall; an effort sweep charts completion tokens)."""
    rate_name = (PASS_NAMES.get(metric) if metric else None) or "pass rate"
    mean_name = (MEAN_NAMES.get(metric) if metric else None) or "mean score"
    detection = any(point.precision is not None for point in points)
    by_effort = any(point.setting.axis == "effort" for point in points)
    kind = "Reasoning effort sweep" if by_effort else "Resolution sweep"
    tokens = "completion" if by_effort else "prompt"
    rows = "".join(
        f"<tr><td>{escape(point.setting.label)}</td><td>{escape(short_name(point.model))}</td>"
        f"<td class='n'>{point.passed}/{point.items}</td><td class='n'>{point.rate:.1%}</td>"
        f"<td class='n'>{point.low:.1%} – {point.high:.1%}</td>"
        f"<td class='n'>{point.mean_score:.3f}</td>"
        + (_detection_cells(point) if detection else "")
        + f"<td class='n'>{_count(point.mean_prompt_tokens)}</td>"
        f"<td class='n'>{_count(point.mean_completion_tokens)}</td>"
        f"<td class='n'>{_count(point.mean_reasoning_tokens)}</td>"
        f"<td class='n'>{'-' if point.cost is None else f'{point.cost:.4f}'}</td>"
        f"<td>{escape(point.batch_id)}</td></tr>"
        for point in points
    )
    sections = [
        f"<h1>{kind}</h1>",
        f'<p class="note">Scored by {escape(scoring)} on the answers alone (never the '
        "reasoning); intervals are 95% Wilson intervals. Each setting is a batch of its own in "
        "the history.</p>",
        f"<h2>Score against {tokens} tokens</h2>",
        score_lines(
            _lines(points, tokens),
            x_label=f"mean {tokens} tokens per answer",
            title=f"{rate_name.capitalize()} against {tokens} tokens",
        ),
    ]
    by_cost = _lines(points, "cost")
    if by_cost:
        sections += [
            "<h2>Score against cost</h2>",
            score_lines(
                by_cost,
                x_label="cost of the batch at /models prices",
                title=f"{rate_name.capitalize()} against cost",
            ),
        ]
    else:
        sections.append('<p class="note">/models lists no prices for these models: no cost.</p>')
    sections += [
        "<h2>Every point</h2>",
        "<table><tr><th>setting</th><th>model</th><th>passed</th>"
        f"<th>{escape(rate_name)}</th><th>95% interval</th><th>{escape(mean_name)}</th>"
        + ("<th>precision at IoU 0.5</th><th>recall at IoU 0.5</th>" if detection else "")
        + "<th>mean prompt tokens</th><th>mean completion tokens</th><th>of which reasoning</th>"
        "<th>cost</th><th>batch</th></tr>"
        f"{rows}</table>",
    ]
    return page(kind, sections)
