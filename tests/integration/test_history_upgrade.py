"""A history file written by the first app (schema version 1, PRAGMA user_version = 1, no
Alembic) upgrades in place with nothing lost; a failed upgrade changes nothing."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from tests.support.images import make_image
from vision.errors import HistoryError
from vision.history.config import ConnectionSettings
from vision.history.schema import SCHEMA_VERSION
from vision.history.store import HistoryStore
from vision.history.tables import metadata
from vision.images.thumbnail import make_thumbnail
from vision.values.result import Usage
from vision.values.run import Run, RunFilter, RunImage, Vote

# The DDL of schema version 1 exactly as the first app ran it (vision/history/schema.py before
# Alembic): the old format, kept here as a fixture.
V1_DDL = """
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

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC).timestamp()
PHOTO = make_image("PNG", (64, 48))
CHART = make_image("JPEG", (80, 60))
THUMB = make_thumbnail(PHOTO)
V1_COLUMNS = (
    "id, created_at, kind, conversation_id, batch_id, item_index, item_name, prompt, system, "
    "params, model, answer, prompt_tokens, completion_tokens, total_tokens, latency_s, ttft_s, "
    "finish_reason, complete, error, tag, expected"
)

# Rows as the first app's store wrote them: a single run with a kept photo, a two-model batch
# item (one failed), two conversation turns, a run whose image was sent by URL, votes.
V1_RUNS = [
    (1, T0, "single", None, None, None, None, "Read the receipt", "Be brief.",
     '{"max_tokens": 64, "temperature": 0.2}', "qwen", "Total: 42 EUR", 1700, 10, 1710, 1.25,
     0.3, "stop", 1, None, "ocr", "42"),
    (2, T0 + 60, "batch_item", None, "b1", 0, "chart.jpg", "Describe", None, "{}", "qwen",
     "A bar chart.", 900, 5, 905, 0.8, 0.1, "stop", 1, None, None, None),
    (3, T0 + 61, "batch_item", None, "b1", 0, "chart.jpg", "Describe", None, "{}", "llama", "",
     None, None, None, None, None, None, 0, "The API took too long to answer; try again.", None,
     None),
    (4, T0 + 120, "turn", "c1", None, None, None, "What is it?", None, "{}", "qwen", "A cat.",
     None, None, None, None, None, None, 1, None, None, None),
    (5, T0 + 180, "turn", "c1", None, None, None, "Which colour?", None, "{}", "qwen",
     "Ginger.", None, None, None, None, None, None, 1, None, None, None),
    (6, T0 + 240, "single", None, None, None, None, "And this one?", None, "{}", "llama",
     "A dog.", None, None, None, None, None, "length", 1, None, None, None),
]  # fmt: skip
V1_IMAGES = [
    (1, 0, "sent-photo", "src-photo", "image/png", 64, 48, None,
     json.dumps(["EXIF rotated"]), THUMB),
    (2, 0, "src-chart", None, "image/jpeg", 80, 60, None, "[]", b""),
    (3, 0, "src-chart", None, "image/jpeg", 80, 60, None, "[]", b""),
    (6, 0, "", None, None, None, None, "https://example.com/dog.png", "[]", b""),
]  # fmt: skip
V1_VOTES = [
    (1, T0 + 300, "b1", "p1", "src-chart", "qwen", "llama", "a", None, 2, 3),
    (2, T0 + 301, None, None, None, "llama", "qwen", "tie", "ocr", None, None),
]


def write_v1_file(path: Path) -> None:
    """A history file exactly as the first app left it."""
    db = sqlite3.connect(path)
    db.executescript(V1_DDL)
    db.execute("PRAGMA journal_mode = WAL")
    db.executemany(f"INSERT INTO runs ({V1_COLUMNS}) VALUES ({', '.join('?' * 22)})", V1_RUNS)  # noqa: S608
    db.executemany("INSERT INTO run_images VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", V1_IMAGES)
    db.executemany("INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", V1_VOTES)
    db.executemany(
        "INSERT INTO image_blobs VALUES (?, ?, ?)",
        [("src-photo", "image/png", PHOTO), ("src-chart", None, CHART)],
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def sqlite_facts(path: Path) -> dict[str, object]:
    db = sqlite3.connect(path)
    try:
        return {
            "user_version": db.execute("PRAGMA user_version").fetchone()[0],
            "tables": sorted(
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ),
            "blob_pk": [row[1] for row in db.execute("PRAGMA table_info(image_blobs)") if row[5]],
            "runs": db.execute("SELECT COUNT(*) FROM runs").fetchone()[0],
        }
    finally:
        db.close()


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    write_v1_file(path)
    return path


def test_a_version_1_file_upgrades_in_place_with_every_run_image_vote_and_blob(v1_file):
    with HistoryStore(v1_file) as store:
        assert store.schema_version == SCHEMA_VERSION
        runs = {run.id: run for run in store.search_runs(limit=100)}
        assert sorted(runs) == [1, 2, 3, 4, 5, 6]
        assert runs[1] == Run(
            id=1,
            created_at=datetime.fromtimestamp(T0, UTC),
            prompt="Read the receipt",
            system="Be brief.",
            params={"max_tokens": 64, "temperature": 0.2},
            model="qwen",
            answer="Total: 42 EUR",
            usage=Usage(prompt_tokens=1700, completion_tokens=10, total_tokens=1710),
            latency_s=1.25,
            ttft_s=0.3,
            finish_reason="stop",
            tag="ocr",
            expected="42",
            images=(
                RunImage(
                    sha256="sent-photo",
                    source_sha256="src-photo",
                    mime="image/png",
                    width=64,
                    height=48,
                    steps=("EXIF rotated",),
                    thumbnail=THUMB,
                ),
            ),
        )
        assert runs[3].failed
        assert not runs[3].complete
        assert runs[3].error == "The API took too long to answer; try again."
        assert runs[6].images[0].url == "https://example.com/dog.png"
        assert runs[6].finish_reason == "length"
        assert [(r.id, r.model) for r in store.batch_runs("b1")] == [(2, "qwen"), (3, "llama")]
        assert store.batch_ids() == ["b1"]
        assert [r.prompt for r in store.conversation_runs("c1")] == ["What is it?", "Which colour?"]
        assert store.models() == ["llama", "qwen"]
        assert store.tags() == ["ocr"]
        assert store.search_runs(RunFilter(text="receipt"))[0].id == 1
        assert store.image_bytes("src-photo") == PHOTO
        assert store.image_bytes("src-chart") == CHART
        assert store.kept_image_bytes() == len(PHOTO) + len(CHART)
        votes = store.votes()
        assert [(v.id, v.choice, v.run_a_id, v.run_b_id) for v in votes] == [
            (1, "a", 2, 3),
            (2, "tie", None, None),
        ]
        assert votes[0].pair_id == "p1"
        assert votes[0].image_sha256 == "src-chart"
        assert votes[1].tag == "ocr"
        # The upgraded file goes on as a current one: new ids follow the old ones.
        new = store.save_run(Run(prompt="after", model="qwen", batch_id="b1", kind="batch_item"))
        assert new.id == 7
        assert store.save_vote(Vote(model_a="a", model_b="b", choice="b", run_a_id=1)).id == 3
        assert store.delete_run(2)
        assert store.get_run(2) is None
        assert store.votes()[0].run_a_id == 2  # kept: a deleted run can be restored
    assert sqlite_facts(v1_file)["user_version"] == SCHEMA_VERSION
    with HistoryStore(v1_file) as again:
        assert len(again.search_runs(limit=100)) == 6
        assert again.for_workspace("someone-else").search_runs() == []


def sqlite_schema(path: Path) -> set[str]:
    """Every column, key, foreign key and index of a file, one fact per line, as SQLite
    itself reports them (REAL and FLOAT are one type to SQLite; a rowid is never null)."""
    db = sqlite3.connect(path)
    facts: set[str] = set()
    try:
        tables = [
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            for _, name, kind, notnull, default, pk in db.execute(f"PRAGMA table_info({table})"):
                kind = "REAL" if kind in {"FLOAT", "REAL"} else kind
                required = bool(notnull) or (pk == 1 and kind == "INTEGER")
                facts.add(f"{table}.{name} {kind} required={required} default={default} pk={pk}")
            for row in db.execute(f"PRAGMA foreign_key_list({table})"):
                facts.add(f"{table}.{row[3]} -> {row[2]}.{row[4]} on delete {row[6]}")
            for _, index, unique, origin, partial in db.execute(f"PRAGMA index_list({table})"):
                columns = [row[2] for row in db.execute(f"PRAGMA index_info({index})")]
                name = index if origin == "c" else origin  # automatic indexes: by what made them
                facts.add(f"index {table} {name} {columns} unique={unique} partial={partial}")
    finally:
        db.close()
    return facts


def test_an_upgraded_file_has_the_schema_of_a_new_one(v1_file, tmp_path):
    new_file = tmp_path / "new.sqlite3"
    HistoryStore(v1_file).close()
    HistoryStore(new_file).close()
    old, new = sqlite_schema(v1_file), sqlite_schema(new_file)
    # Version 1 gave thumbnails a default the store never relied on; dropping it would mean
    # rebuilding the table, so an upgraded file keeps it. Nothing else differs.
    assert old - new == {"run_images.thumbnail BLOB required=True default=x'' pk=0"}
    assert new - old == {"run_images.thumbnail BLOB required=True default=None pk=0"}
    assert "votes.run_a_id -> runs.id on delete SET NULL" in old
    assert "run_images.run_id -> runs.id on delete CASCADE" in old
    assert "index image_blobs pk ['workspace', 'sha256'] unique=1 partial=0" in old
    # And the tables the store queries are the ones the migrations made.
    engine = create_engine(f"sqlite:///{new_file}")
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    engine.dispose()


def test_a_version_1_file_is_left_as_it_was_when_its_upgrade_fails(v1_file):
    db = sqlite3.connect(v1_file)
    db.execute("CREATE TABLE batches (x)")  # the upgrade's new table cannot be created
    db.commit()
    db.close()
    before = v1_file.read_bytes()
    with pytest.raises(HistoryError, match="cannot be used") as caught:
        HistoryStore(v1_file)
    assert "already exists" in str(caught.value)
    facts = sqlite_facts(v1_file)
    assert facts["user_version"] == 1
    assert "alembic_version" not in facts["tables"]
    assert facts["blob_pk"] == ["sha256"]
    assert facts["runs"] == len(V1_RUNS)
    assert sqlite3.connect(v1_file).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(v1_file.read_bytes()) == len(before)


def test_a_version_1_file_another_program_is_writing_waits_then_says_so(v1_file):
    other = sqlite3.connect(v1_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(HistoryError, match="is locked by another program"):
            HistoryStore(v1_file, settings=ConnectionSettings(busy_timeout_ms=200))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert sqlite_facts(v1_file)["user_version"] == 1
    with HistoryStore(v1_file) as store:
        assert len(store.search_runs()) == len(V1_RUNS)


def test_the_first_app_would_refuse_an_upgraded_file(v1_file):
    """Version 1's check: a user_version above its own was refused, so an old app left running
    next to a new one cannot write the version 1 layout into an upgraded file."""
    HistoryStore(v1_file).close()
    assert sqlite_facts(v1_file)["user_version"] > 1
