"""The history's tables as SQLAlchemy Core sees them, at the newest schema (the migrations in
migrations/versions/ build exactly this; a test compares the two on both engines).

Every row that a person owns carries its workspace: the signed-in person's id, or "local" for
the single-user app. Run images belong to their run and so to its workspace.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)

from vision.values.judgement import PREFERENCES
from vision.values.run import RUN_KINDS, VOTE_CHOICES

metadata = MetaData()


def _workspace() -> Column[str]:
    # The default fills the rows of a file written before workspaces; the store always names one.
    return Column("workspace", Text, nullable=False, server_default=text("'local'"))


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})")


runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("kind", Text, nullable=False),
    Column("conversation_id", Text),
    Column("batch_id", Text),
    Column("item_index", Integer),
    Column("item_name", Text),
    Column("prompt", Text, nullable=False),
    Column("system", Text),
    Column("params", Text, nullable=False, server_default=text("'{}'")),
    Column("model", Text, nullable=False),
    Column("answer", Text, nullable=False, server_default=text("''")),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("total_tokens", Integer),
    Column("latency_s", Float),
    Column("ttft_s", Float),
    Column("finish_reason", Text),
    Column("complete", Integer, nullable=False, server_default=text("1")),
    Column("error", Text),
    Column("tag", Text),
    Column("expected", Text),
    _workspace(),
    # Set when the person deletes the run: hidden from every read until restored.
    Column("deleted_at", Float),
    # JSON lists: a batch item's reference answers and multiple-choice options (schema 4).
    Column("answers", Text),
    Column("choices", Text),
    # A deterministic request's key, and 1 when the answer was served from the cache.
    Column("cache_key", Text),
    Column("cached", Integer, nullable=False, server_default=text("0")),
    # What a run asked to locate and its reference boxes (JSON), and the coordinate frame its
    # answer is read in (schema 9).
    Column("locate", Text),
    Column("frame", Text),
    # A reasoning model's thinking and its token count, apart from the answer (schema 11).
    Column("reasoning", Text),
    Column("reasoning_tokens", Integer),
    _one_of("kind", RUN_KINDS),
    Index("runs_workspace_created_at", "workspace", "created_at"),
    Index(
        "runs_workspace_batch",
        "workspace",
        "batch_id",
        sqlite_where=text("batch_id IS NOT NULL"),
        postgresql_where=text("batch_id IS NOT NULL"),
    ),
    Index(
        "runs_workspace_conversation",
        "workspace",
        "conversation_id",
        sqlite_where=text("conversation_id IS NOT NULL"),
        postgresql_where=text("conversation_id IS NOT NULL"),
    ),
    Index("runs_workspace_model", "workspace", "model"),
    Index(
        "runs_workspace_cache",
        "workspace",
        "cache_key",
        sqlite_where=text("cache_key IS NOT NULL"),
        postgresql_where=text("cache_key IS NOT NULL"),
    ),
)


def _image_columns() -> list[Column[Any]]:
    return [
        Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),
        Column("sha256", Text, nullable=False),
        Column("source_sha256", Text),
        Column("mime", Text),
        Column("width", Integer),
        Column("height", Integer),
        Column("url", Text),
        Column("steps", Text, nullable=False, server_default=text("'[]'")),
        Column("thumbnail", LargeBinary, nullable=False),
    ]


def _origin_columns() -> list[Column[Any]]:
    # What maps a model's coordinates back to the original (schema 9): its upright size, the
    # EXIF orientation that turned it upright, a stitched grid's cells as JSON.
    return [
        Column("original_width", Integer),
        Column("original_height", Integer),
        Column("orientation", Integer),
        Column("cells", Text),
        # The page or frame of a document or video it shows, as JSON (schema 13).
        Column("parts", Text),
    ]


run_images = Table(
    "run_images",
    metadata,
    *_image_columns(),
    Column("name", Text),
    *_origin_columns(),
    PrimaryKeyConstraint("run_id", "position"),
    Index("run_images_sha", "sha256"),
)

# The images the person attached, where they differ from what the model was sent: a stitched
# grid's pictures, or a follow-up's earlier images; reopening a run puts these back.
run_sources = Table(
    "run_sources",
    metadata,
    *_image_columns(),
    Column("name", Text),
    *_origin_columns(),
    PrimaryKeyConstraint("run_id", "position"),
)

votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("batch_id", Text),
    Column("pair_id", Text),
    Column("image_sha256", Text),
    Column("model_a", Text, nullable=False),
    Column("model_b", Text, nullable=False),
    Column("choice", Text, nullable=False),
    Column("tag", Text),
    Column("run_a_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    Column("run_b_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    _workspace(),
    _one_of("choice", VOTE_CHOICES),
    Index("votes_workspace_batch", "workspace", "batch_id"),
    Index("votes_run_a", "run_a_id"),
    Index("votes_run_b", "run_b_id"),
)

# A batch's id is chosen by whoever runs it, so it is unique within a workspace only.
batches = Table(
    "batches",
    metadata,
    Column("workspace", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    # What the batch was asked to do, as JSON (input, prompt, models, options; a page's batch
    # names its kept_items list and their number), so that it can be resumed or run by a worker;
    # null for batches that predate schema 4.
    Column("spec", Text),
    Column("state", Text),
    Column("updated_at", Float),
    PrimaryKeyConstraint("workspace", "id", name="batches_pkey"),
)

# A page's batch items, a row each (schema 12), listed under an id its spec names (a sweep's
# batches share one list): a page or a worker reads the rows it needs, never every item in one
# value. An uploaded image is kept in image_blobs by its hash; a URL stays a URL.
kept_items = Table(
    "kept_items",
    metadata,
    Column("workspace", Text, nullable=False),
    Column("list_id", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("prompt", Text, nullable=False),
    Column("name", Text),
    Column("expected", Text),
    # JSON lists, as in runs: the reference answers and the multiple-choice options.
    Column("answers", Text),
    Column("choices", Text),
    Column("tag", Text),
    # A grounding item's task, what to locate and its reference boxes (JSON), as in runs.
    Column("locate", Text),
    Column("image_sha256", Text),
    Column("image_url", Text),
    # The page of a document or a video's frames it sends, as JSON (schema 13).
    Column("parts", Text),
    PrimaryKeyConstraint("workspace", "list_id", "position", name="kept_items_pkey"),
)

# A queued batch cut into chunks of items, each claimed by one worker with a lease it renews;
# an expired lease (a dead worker) lets another claim the chunk.
batch_chunks = Table(
    "batch_chunks",
    metadata,
    Column("workspace", Text, nullable=False),
    Column("batch_id", Text, nullable=False),
    Column("chunk", Integer, nullable=False),
    Column("first_item", Integer, nullable=False),
    Column("end_item", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("worker", Text),
    Column("lease_until", Float),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("created_at", Float, nullable=False),
    # Set by Retry: failures saved in runs up to this id are asked again, once (schema 7).
    Column("retry_through", Integer),
    PrimaryKeyConstraint("workspace", "batch_id", "chunk", name="batch_chunks_pkey"),
    _one_of("state", ("queued", "running", "done")),
    Index("batch_chunks_state", "state", "created_at"),
)

# A model's judgement of a run against a rubric: its score, verdict and reason, kept beside it.
judgements = Table(
    "judgements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("workspace", Text, nullable=False),
    Column("judge_model", Text, nullable=False),
    Column("rubric", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    # 1 when the judge was shown the image(s) the graded model received (schema 8).
    Column("saw_images", Integer, nullable=False, server_default=text("0")),
    Index("judgements_workspace_run", "workspace", "run_id"),
)

# A judge's comparison of two runs answering the same item, asked in both orders (schema 8):
# `a_first` with run A's answer shown first, `b_first` with run B's first, both in the runs' terms.
pair_verdicts = Table(
    "pair_verdicts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace", Text, nullable=False),
    Column("batch_id", Text, nullable=False),
    Column("pair_id", Text, nullable=False),
    Column("run_a_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("run_b_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("model_a", Text, nullable=False),
    Column("model_b", Text, nullable=False),
    Column("judge_model", Text, nullable=False),
    Column("rubric", Text, nullable=False),
    Column("a_first", Text, nullable=False),
    Column("b_first", Text, nullable=False),
    Column("reason_a_first", Text, nullable=False),
    Column("reason_b_first", Text, nullable=False),
    Column("saw_images", Integer, nullable=False, server_default=text("0")),
    Column("created_at", Float, nullable=False),
    _one_of("a_first", PREFERENCES),
    _one_of("b_first", PREFERENCES),
    Index("pair_verdicts_workspace_batch", "workspace", "batch_id"),
)

# Kept originals, once per content hash and workspace: the same photo kept by two people is two
# rows, so neither can read the other's by guessing a hash. The bytes are in the blob store
# (vision/history/blobs/), or in `data` until the store moves them there (schema 10), or in a
# local file at `path` that `vision eval` evaluated without copying it.
STORED_IN = ("database", "blob_store", "file")
image_blobs = Table(
    "image_blobs",
    metadata,
    Column("workspace", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("mime", Text),
    Column("size", Integer, nullable=False),
    # Empty once the bytes are elsewhere (the column stays NOT NULL: SQLite could only relax
    # that by copying the table, bytes and all).
    Column("data", LargeBinary, nullable=False),
    Column("created_at", Float),
    # One of STORED_IN (no CHECK: adding one to SQLite would copy the table too).
    Column("stored_in", Text, nullable=False, server_default=text("'database'")),
    Column("path", Text),
    PrimaryKeyConstraint("workspace", "sha256", name="image_blobs_workspace_pkey"),
    Index(
        "image_blobs_in_database",
        "workspace",
        "sha256",
        sqlite_where=text("stored_in = 'database'"),
        postgresql_where=text("stored_in = 'database'"),
    ),
)

# A team's tables (docs/team.md): who signed in, what they share, and the audit trail.

# Each signed-in person's address and name, so that an admin's views can name a workspace.
people = Table(
    "people",
    metadata,
    Column("workspace", Text, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)

# A run or a batch its owner shares with the team (readable by any signed-in member).
shares = Table(
    "shares",
    metadata,
    Column("workspace", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    PrimaryKeyConstraint("workspace", "kind", "target", name="shares_pkey"),
    _one_of("kind", ("run", "batch")),
    Index("shares_kind_target", "kind", "target"),
)

# Metadata only: who did what, when, with which model and at what cost, and sign-ins and
# denials. Never a prompt, an answer, an image or a key. Requests answered with the team's key
# are what budgets count (key = 'team').
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("event", Text, nullable=False),
    Column("workspace", Text),
    Column("email", Text),
    Column("model", Text),
    Column("run_id", Integer),
    Column("batch_id", Text),
    Column("images", Integer),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("cost", Float),
    Column("key", Text),
    Column("detail", Text),
    Index("audit_events_created_at", "created_at"),
    Index("audit_events_workspace_created_at", "workspace", "created_at"),
)
