"""How records become rows and rows become records: the columns of each table, in the records'
field order, with the values a column cannot hold as they are (times, parameters, flags)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any

from vision.values.grounding import LocateTask
from vision.values.image import GridCell, SourcePart
from vision.values.result import Usage
from vision.values.run import Run, RunImage, Vote

# The schema version of the newest migration (vision/history/migrations/versions/); on SQLite it
# is also the file's PRAGMA user_version, so an app from before version 2 refuses a newer file.
SCHEMA_VERSION = 13

# The columns follow the records' fields: a run's usage takes four columns, its images and
# the records' ids live elsewhere (run_images, run_sources, the primary keys).
_USAGE_COLUMNS = tuple(f.name for f in fields(Usage))
_RUN_FIELDS = tuple(f.name for f in fields(Run) if f.name not in {"id", "images", "sources"})
_VOTE_FIELDS = tuple(f.name for f in fields(Vote) if f.name != "id")
RUN_COLUMNS = tuple(
    column for name in _RUN_FIELDS for column in (_USAGE_COLUMNS if name == "usage" else (name,))
)
VOTE_COLUMNS = _VOTE_FIELDS
IMAGE_COLUMNS = tuple(f.name for f in fields(RunImage))


def timestamp(when: datetime) -> float:
    """Seconds since the epoch, as stored."""
    return when.timestamp()


def moment(seconds: float) -> datetime:
    """A stored time as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


# How a field is stored where a column cannot hold its value as it is.
_TO_COLUMN: dict[str, Callable[[Any], Any]] = {
    "created_at": timestamp,
    "params": lambda params: json.dumps(params, sort_keys=True),
    "complete": int,
    "steps": lambda steps: json.dumps(list(steps)),
    "answers": lambda answers: json.dumps(list(answers)) if answers else None,
    "choices": lambda choices: json.dumps(list(choices)) if choices else None,
    "cached": int,
    "locate": lambda task: json.dumps(task.to_json()) if task is not None else None,
    "cells": lambda cells: json.dumps([asdict(cell) for cell in cells]) if cells else None,
    "parts": lambda parts: json.dumps([part.to_json() for part in parts]) if parts else None,
}
_FROM_COLUMN: dict[str, Callable[[Any], Any]] = {
    "created_at": moment,
    "params": json.loads,
    "complete": bool,
    "steps": lambda steps: tuple(json.loads(steps)),
    "thumbnail": bytes,
    "answers": lambda answers: tuple(json.loads(answers)) if answers else (),
    "choices": lambda choices: tuple(json.loads(choices)) if choices else (),
    "cached": bool,
    "locate": lambda task: LocateTask.from_json(json.loads(task)) if task else None,
    "cells": lambda cells: tuple(GridCell(**cell) for cell in json.loads(cells)) if cells else (),
    "parts": lambda parts: (
        tuple(SourcePart.from_json(part) for part in json.loads(parts)) if parts else ()
    ),
}


def _stored(name: str, value: Any) -> Any:
    convert = _TO_COLUMN.get(name)
    return value if convert is None else convert(value)


def _read(name: str, value: Any) -> Any:
    convert = _FROM_COLUMN.get(name)
    return value if convert is None else convert(value)


def run_values(run: Run) -> dict[str, Any]:
    """A run's row in the runs table, without its id and workspace."""
    values: dict[str, Any] = {}
    for name in _RUN_FIELDS:
        if name == "usage":
            values.update({column: getattr(run.usage, column) for column in _USAGE_COLUMNS})
        else:
            values[name] = _stored(name, getattr(run, name))
    return values


def image_values(run_id: int, image: RunImage) -> dict[str, Any]:
    """A run's image as a row of the run_images table."""
    return {"run_id": run_id} | {
        name: _stored(name, getattr(image, name)) for name in IMAGE_COLUMNS
    }


def image_from_row(row: Mapping[Any, Any]) -> RunImage:
    """A run's image as read back from the run_images table (a column left out of the query,
    such as the thumbnail, keeps the record's default)."""
    return RunImage(**{name: _read(name, row[name]) for name in IMAGE_COLUMNS if name in row})


def run_from_row(
    row: Mapping[Any, Any],
    images: tuple[RunImage, ...],
    sources: tuple[RunImage, ...] = (),
) -> Run:
    """A run from its row, its images and the images the person attached."""
    values = {name: _read(name, row[name]) for name in _RUN_FIELDS if name != "usage"}
    usage = Usage(**{column: row[column] for column in _USAGE_COLUMNS})
    return Run(id=row["id"], usage=usage, images=images, sources=sources, **values)


def vote_values(vote: Vote) -> dict[str, Any]:
    """A vote's row in the votes table, without its id and workspace."""
    return {name: _stored(name, getattr(vote, name)) for name in _VOTE_FIELDS}


def vote_from_row(row: Mapping[Any, Any]) -> Vote:
    """A vote from its row."""
    return Vote(id=row["id"], **{name: _read(name, row[name]) for name in _VOTE_FIELDS})
