"""The history file's schema and migrations, the fixed SQL the store runs, and row mapping."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from vision.api.results import Usage
from vision.history.records import Run, RunImage, Vote

SCHEMA_VERSION = 1

_SCHEMA_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'turn', 'batch_item')),
    conversation_id TEXT,
    batch_id TEXT,
    item_index INTEGER,
    item_name TEXT,
    prompt TEXT NOT NULL,
    system TEXT,
    params TEXT NOT NULL DEFAULT '{}',
    model TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    total_tokens INTEGER,
    latency_s REAL,
    ttft_s REAL,
    finish_reason TEXT,
    complete INTEGER NOT NULL DEFAULT 1,
    error TEXT,
    tag TEXT,
    expected TEXT
);
CREATE INDEX runs_created_at ON runs (created_at);
CREATE INDEX runs_batch ON runs (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX runs_conversation ON runs (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX runs_model ON runs (model);
CREATE TABLE run_images (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    source_sha256 TEXT,
    mime TEXT,
    width INTEGER,
    height INTEGER,
    url TEXT,
    steps TEXT NOT NULL DEFAULT '[]',
    thumbnail BLOB NOT NULL DEFAULT x'',
    PRIMARY KEY (run_id, position)
);
CREATE INDEX run_images_sha ON run_images (sha256);
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    batch_id TEXT,
    pair_id TEXT,
    image_sha256 TEXT,
    model_a TEXT NOT NULL,
    model_b TEXT NOT NULL,
    choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie', 'both_bad')),
    tag TEXT,
    run_a_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    run_b_id INTEGER REFERENCES runs (id) ON DELETE SET NULL
);
CREATE INDEX votes_batch ON votes (batch_id) WHERE batch_id IS NOT NULL;
CREATE TABLE image_blobs (
    sha256 TEXT PRIMARY KEY,
    mime TEXT,
    data BLOB NOT NULL
);
"""

# Index i holds the script that takes a database from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1,)

# The columns follow the records' fields: a run's usage takes three columns, its images and
# the vote's ids live elsewhere (run_images, the primary keys).
_USAGE_COLUMNS = tuple(f.name for f in fields(Usage))
_RUN_FIELDS = tuple(f.name for f in fields(Run) if f.name not in {"id", "images"})
_VOTE_FIELDS = tuple(f.name for f in fields(Vote) if f.name != "id")
RUN_COLUMNS = tuple(
    column for name in _RUN_FIELDS for column in (_USAGE_COLUMNS if name == "usage" else (name,))
)
_RUN_COLUMNS = ", ".join(RUN_COLUMNS)
_VOTE_COLUMNS = ", ".join(_VOTE_FIELDS)

_RUN_MARKS = ", ".join("?" * len(RUN_COLUMNS))
_VOTE_MARKS = ", ".join("?" * len(_VOTE_FIELDS))

# Only these constants and "?" placeholders ever become SQL text (hence the S608 noqa).
INSERT_RUN = f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES ({_RUN_MARKS})"  # noqa: S608
SELECT_RUNS = f"SELECT id, {_RUN_COLUMNS} FROM runs"  # noqa: S608
INSERT_IMAGE = (
    "INSERT INTO run_images (run_id, position, sha256, source_sha256, mime, width, height, url, "
    "steps, thumbnail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_IMAGES = "SELECT * FROM run_images WHERE run_id IN ({marks}) ORDER BY run_id, position"
INSERT_VOTE = f"INSERT INTO votes ({_VOTE_COLUMNS}) VALUES ({_VOTE_MARKS})"  # noqa: S608
SELECT_VOTES = f"SELECT id, {_VOTE_COLUMNS} FROM votes"  # noqa: S608


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
}
_FROM_COLUMN: dict[str, Callable[[Any], Any]] = {
    "created_at": moment,
    "params": json.loads,
    "complete": bool,
}


def _stored(name: str, value: Any) -> Any:
    convert = _TO_COLUMN.get(name)
    return value if convert is None else convert(value)


def _read(name: str, value: Any) -> Any:
    convert = _FROM_COLUMN.get(name)
    return value if convert is None else convert(value)


def run_values(run: Run) -> tuple[Any, ...]:
    """The INSERT_RUN parameters of a run, in RUN_COLUMNS order."""
    values: list[Any] = []
    for name in _RUN_FIELDS:
        if name == "usage":
            values.extend(getattr(run.usage, column) for column in _USAGE_COLUMNS)
        else:
            values.append(_stored(name, getattr(run, name)))
    return tuple(values)


def image_from_row(row: sqlite3.Row) -> RunImage:
    """A run's image as read back from the run_images table."""
    return RunImage(
        position=row["position"],
        sha256=row["sha256"],
        source_sha256=row["source_sha256"],
        mime=row["mime"],
        width=row["width"],
        height=row["height"],
        url=row["url"],
        steps=tuple(json.loads(row["steps"])),
        thumbnail=bytes(row["thumbnail"]),
    )


def run_from_row(row: sqlite3.Row, images: tuple[RunImage, ...]) -> Run:
    """A run from its row and its images."""
    values = {name: _read(name, row[name]) for name in _RUN_FIELDS if name != "usage"}
    usage = Usage(**{column: row[column] for column in _USAGE_COLUMNS})
    return Run(id=row["id"], usage=usage, images=images, **values)


def vote_values(vote: Vote) -> tuple[Any, ...]:
    """The INSERT_VOTE parameters of a vote."""
    return tuple(_stored(name, getattr(vote, name)) for name in _VOTE_FIELDS)


def vote_from_row(row: sqlite3.Row) -> Vote:
    """A vote from its row."""
    return Vote(id=row["id"], **{name: _read(name, row[name]) for name in _VOTE_FIELDS})
