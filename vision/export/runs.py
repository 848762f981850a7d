"""Exports of runs: JSON, Markdown and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from vision.export.located import located_record
from vision.grounding.reading import read_run
from vision.markdown import inert_html, inert_images, plain_line
from vision.scoring.checks import CheckKind, check_run
from vision.spreadsheet import safe_cell
from vision.values.run import Run, RunImage, utc_now


def image_record(image: RunImage) -> dict[str, Any]:
    """An image of a run as plain JSON-able data (the thumbnail is left out)."""
    return {
        "name": image.label,
        "sha256": image.sha256 or None,
        "source_sha256": image.source_sha256,
        "mime": image.mime,
        "width": image.width,
        "height": image.height,
        "url": image.url,
        "steps": list(image.steps),
        "original_width": image.original_width,
        "original_height": image.original_height,
        "orientation": image.orientation,
        "cells": [asdict(cell) for cell in image.cells],
        "shows": image.shows or None,
        "parts": [part.to_json() for part in image.parts],
    }


def grounding_record(run: Run) -> dict[str, Any] | None:
    """What a run asked to locate (with its reference boxes) and the boxes and points of its
    answer, in the original's pixels and in the model's frame; None for a run that neither
    asked to locate nor answered with any."""
    answer = read_run(run)
    if run.locate is None and (answer is None or not answer.located):
        return None
    record: dict[str, Any] = {"asked": run.locate.to_json() if run.locate else None}
    if answer is not None:
        record.update(located_record(answer))
    elif not run.failed:
        record["problems"] = [
            "The image record cannot map boxes back (sent by URL, or kept before the history "
            "kept image sizes)."
        ]
    return record


def run_record(run: Run) -> dict[str, Any]:
    """A run as plain JSON-able data: request, answer, usage, timings, images and steps."""
    return {
        "id": run.id,
        "created_at": run.created_at.isoformat(),
        "kind": run.kind,
        "conversation_id": run.conversation_id,
        "batch_id": run.batch_id,
        "item_name": run.item_name,
        "tag": run.tag,
        "model": run.model,
        "system": run.system,
        "prompt": run.prompt,
        "params": dict(run.params),
        "images": [image_record(image) for image in run.images],
        "answer": run.answer,
        "reasoning": run.reasoning,
        "error": run.error,
        "finish_reason": run.finish_reason,
        "complete": run.complete,
        "usage": asdict(run.usage),
        "latency_s": run.latency_s,
        "ttft_s": run.ttft_s,
        "expected": run.expected,
        "grounding": grounding_record(run),
    }


def export_json(runs: Iterable[Run], *, title: str = "Vision Playground export") -> str:
    """Runs (one, a conversation or a batch) as an indented JSON document."""
    document = {
        "title": title,
        "exported_at": utc_now().isoformat(),
        "runs": [run_record(run) for run in runs],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# A run made with a key the person pasted for their session carries this parameter.
OWN_KEY_PARAM = "key"
OWN_KEY_VALUE = "own (pasted for the session)"


def usage_line(run: Run) -> str:
    """A saved run's tokens, latency, first token and finish reason on one line (and whether
    it was made with the person's own key)."""
    parts = []
    if run.params.get(OWN_KEY_PARAM) == OWN_KEY_VALUE:
        parts.append("made with your own key")
    if run.usage.total_tokens is not None:
        parts.append(run.usage.line)
    if run.latency_s is not None:
        parts.append(f"latency {run.latency_s:.2f} s")
    if run.ttft_s is not None:
        parts.append(f"first token {run.ttft_s:.2f} s")
    if run.finish_reason:
        parts.append(f"finish {run.finish_reason}")
    return " · ".join(parts) or "not reported"


def _image_line(image: RunImage) -> str:
    name = plain_line(image.label)
    if image.shows:
        name += f", {plain_line(image.shows)}"
    if image.url:
        name += f" (from {plain_line(image.url)})"  # text to copy, never a link or an image
    elif image.sha256:
        name += f" (`{image.sha256[:12]}`)"
    size = f" {image.width}×{image.height}" if image.width and image.height else ""
    steps = f" (steps: {plain_line('; '.join(image.steps))})" if image.steps else ""
    mime = plain_line(image.mime or "")
    return f"- Image {image.position + 1}: {name} {mime}{size}{steps}".rstrip()


def _untrusted(text: str) -> str:
    """Markdown from a person or a model as a viewer may show it: no HTML, no image loads."""
    return inert_html(inert_images(text))


def _quote(text: str) -> str:
    quoted = _untrusted(text)
    return "\n".join(f"> {line}" if line else ">" for line in quoted.splitlines() or [""])


def export_markdown(runs: Sequence[Run], *, title: str = "Vision Playground export") -> str:
    """Runs as a readable Markdown document, one section per run, images with their steps.
    Every field is text (names, tags, URLs, errors); prompts and answers keep their markdown
    but no HTML, and their images become links, as on the page."""
    lines = [
        f"# {plain_line(title)}",
        "",
        f"Exported {utc_now():%Y-%m-%d %H:%M} UTC · {len(runs)} run(s)",
        "",
    ]
    for number, run in enumerate(runs, start=1):
        when = f"{run.created_at:%Y-%m-%d %H:%M:%S} UTC"
        lines += [f"## {number}. {plain_line(run.model)} · {when}", ""]
        facts = [f"Kind: {plain_line(run.kind)}"]
        facts += [
            f"{label}: {plain_line(value)}"
            for label, value in (("Item", run.item_name), ("Tag", run.tag))
            if value
        ]
        if run.params:
            parameters = ", ".join(f"{k} {v}" for k, v in sorted(run.params.items()))
            facts.append("Parameters: " + plain_line(parameters))
        lines += [f"- {' · '.join(facts)}", f"- Usage: {plain_line(usage_line(run))}"]
        lines += [_image_line(image) for image in run.images]
        lines.append("")
        if run.system:
            lines += ["**System prompt:**", "", _quote(run.system), ""]
        lines += ["**Prompt:**", "", _quote(run.prompt), ""]
        if run.error is not None:
            lines += [f"**Error:** {plain_line(run.error)}", ""]
        else:
            lines += ["**Answer:**", "", _untrusted(run.answer.strip()) or "_(empty)_", ""]
            if not run.complete:
                lines += ["_The answer is incomplete._", ""]
            if run.reasoning:
                count = run.usage.reasoning_tokens
                tokens = f" ({count:,} tokens)" if count is not None else ""
                lines += [f"**Reasoning{tokens}:**", "", _quote(run.reasoning.strip()), ""]
        if run.expected:
            lines += [f"**Expected:** {plain_line(run.expected)}", ""]
    return "\n".join(lines)


CSV_COLUMNS = (
    "id", "created_at", "kind", "batch_id", "conversation_id", "item_name", "tag", "model",
    "system", "prompt", "temperature", "max_tokens", "reasoning_effort", "image_names",
    "image_shows", "image_sha256", "image_url", "image_steps",
    "answer", "reasoning", "error", "finish_reason", "complete", "prompt_tokens",
    "completion_tokens", "reasoning_tokens", "total_tokens", "latency_s", "ttft_s", "expected",
    "passed",
)  # fmt: skip


def export_csv(runs: Iterable[Run], *, check: CheckKind = "contains") -> str:
    """Runs as CSV, one row per run; `passed` applies the check to runs with an expected answer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in runs:
        outcome = check_run(run, check)
        row = run_record(run)
        values = {
            **row,
            "temperature": run.params.get("temperature"),
            "max_tokens": run.params.get("max_tokens"),
            "reasoning_effort": run.params.get("reasoning_effort"),
            "image_names": " | ".join(image.label for image in run.images),
            "image_shows": " | ".join(image.shows for image in run.images),
            "image_sha256": " ".join(image.sha256 for image in run.images if image.sha256),
            "image_url": " ".join(image.url for image in run.images if image.url),
            "image_steps": " | ".join("; ".join(image.steps) for image in run.images),
            "complete": "yes" if run.complete else "no",
            **asdict(run.usage),
            "passed": "" if outcome is None else ("yes" if outcome.passed else "no"),
        }
        writer.writerow([safe_cell(values[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()
