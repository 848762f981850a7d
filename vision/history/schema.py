"""The history file's schema and migrations, the fixed SQL the store runs, and row mapping."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any, cast

from vision.history.records import Run, RunImage, RunKind, Vote, VoteChoice

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

_RUN_COLUMNS = (
    "created_at, kind, conversation_id, batch_id, item_index, item_name, prompt, system, params, "
    "model, answer, prompt_tokens, completion_tokens, total_tokens, latency_s, ttft_s, "
    "finish_reason, complete, error, tag, expected"
)
_VOTE_COLUMNS = (
    "created_at, batch_id, pair_id, image_sha256, model_a, model_b, choice, tag, run_a_id, run_b_id"
)

_RUN_MARKS = ", ".join("?" * (_RUN_COLUMNS.count(",") + 1))
_VOTE_MARKS = ", ".join("?" * (_VOTE_COLUMNS.count(",") + 1))

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


def run_values(run: Run) -> tuple[Any, ...]:
    """The INSERT_RUN parameters of a run."""
    return (
        timestamp(run.created_at),
        run.kind,
        run.conversation_id,
        run.batch_id,
        run.item_index,
        run.item_name,
        run.prompt,
        run.system,
        json.dumps(run.params, sort_keys=True),
        run.model,
        run.answer,
        run.prompt_tokens,
        run.completion_tokens,
        run.total_tokens,
        run.latency_s,
        run.ttft_s,
        run.finish_reason,
        int(run.complete),
        run.error,
        run.tag,
        run.expected,
    )


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
    return Run(
        id=row["id"],
        created_at=moment(row["created_at"]),
        kind=cast(RunKind, row["kind"]),
        conversation_id=row["conversation_id"],
        batch_id=row["batch_id"],
        item_index=row["item_index"],
        item_name=row["item_name"],
        prompt=row["prompt"],
        system=row["system"],
        params=json.loads(row["params"]),
        model=row["model"],
        answer=row["answer"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        total_tokens=row["total_tokens"],
        latency_s=row["latency_s"],
        ttft_s=row["ttft_s"],
        finish_reason=row["finish_reason"],
        complete=bool(row["complete"]),
        error=row["error"],
        tag=row["tag"],
        expected=row["expected"],
        images=images,
    )


def vote_values(vote: Vote) -> tuple[Any, ...]:
    """The INSERT_VOTE parameters of a vote."""
    return (
        timestamp(vote.created_at),
        vote.batch_id,
        vote.pair_id,
        vote.image_sha256,
        vote.model_a,
        vote.model_b,
        vote.choice,
        vote.tag,
        vote.run_a_id,
        vote.run_b_id,
    )


def vote_from_row(row: sqlite3.Row) -> Vote:
    """A vote from its row."""
    return Vote(
        id=row["id"],
        created_at=moment(row["created_at"]),
        batch_id=row["batch_id"],
        pair_id=row["pair_id"],
        image_sha256=row["image_sha256"],
        model_a=row["model_a"],
        model_b=row["model_b"],
        choice=cast(VoteChoice, row["choice"]),
        tag=row["tag"],
        run_a_id=row["run_a_id"],
        run_b_id=row["run_b_id"],
    )
