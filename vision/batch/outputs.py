"""A scored batch written out per item: CSV (cells defused for spreadsheets) and JSONL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from vision.scoring.summary import ItemOutcome
from vision.spreadsheet import safe_cell

COLUMNS = (
    "batch_id", "item_index", "item_name", "tag", "model", "prompt", "answer", "reasoning",
    "references", "choices", "score", "passed", "how", "cached", "error", "latency_s",
    "prompt_tokens", "completion_tokens", "reasoning_tokens", "total_tokens", "run_id",
    "repeat", "read_by_judge",
)  # fmt: skip


def item_records(outcomes: Iterable[ItemOutcome]) -> Iterator[dict[str, Any]]:
    """One JSON-able record per item and model: the answer, its references and its score."""
    for outcome in outcomes:
        run = outcome.run
        yield {
            "batch_id": run.batch_id,
            "item_index": run.item_index,
            "item_name": outcome.name,
            "tag": outcome.tag,
            "model": outcome.model,
            "prompt": run.prompt,
            "answer": run.answer,  # scored; the reasoning never is
            "reasoning": run.reasoning,
            "references": list(run.answers or ((run.expected,) if run.expected else ())),
            "choices": list(run.choices),
            "score": None if outcome.score is None else round(outcome.score.value, 6),
            "passed": None if outcome.score is None else outcome.score.passed,
            "how": "" if outcome.score is None else outcome.score.how,
            "cached": run.cached,
            "error": run.error,
            "latency_s": run.latency_s,
            "prompt_tokens": run.usage.prompt_tokens,
            "completion_tokens": run.usage.completion_tokens,
            "reasoning_tokens": run.usage.reasoning_tokens,
            "total_tokens": run.usage.total_tokens,
            "run_id": run.id,
            "repeat": outcome.repeat,  # which time the item was asked, 0 first
            "read_by_judge": outcome.score is not None and outcome.score.read_by_judge,
        }


def jsonl_lines(outcomes: Iterable[ItemOutcome]) -> Iterator[str]:
    """One JSON object a line."""
    for record in item_records(outcomes):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def csv_lines(outcomes: Iterable[ItemOutcome]) -> Iterator[str]:
    """The header, then one row per item and model (lists joined with " | ")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in item_records(outcomes):
        values = {
            **record,
            "references": " | ".join(record["references"]),
            "choices": " | ".join(record["choices"]),
            "passed": {True: "yes", False: "no", None: ""}[record["passed"]],
            "cached": "yes" if record["cached"] else "no",
        }
        writer.writerow([safe_cell(values[column]) for column in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def write_jsonl(outcomes: Iterable[ItemOutcome], path: Path) -> None:
    """Write one JSON object a line, as they are made."""
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(jsonl_lines(outcomes))


def write_csv(outcomes: Iterable[ItemOutcome], path: Path) -> None:
    """Write one row per item and model, as they are made."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(csv_lines(outcomes))
