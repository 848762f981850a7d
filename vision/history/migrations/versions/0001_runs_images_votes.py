"""Schema version 1: runs, their images, votes and kept originals, as the first app wrote them
(before Alembic, a SQLite file at this version had PRAGMA user_version = 1 and no alembic_version
table; the store stamps such a file at this revision and upgrades it from here).

Revision 0001 (schema version 1), the first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("conversation_id", sa.Text),
        sa.Column("batch_id", sa.Text),
        sa.Column("item_index", sa.Integer),
        sa.Column("item_name", sa.Text),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("system", sa.Text),
        sa.Column("params", sa.Text, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False, server_default=sa.text("''")),
        sa.Column("prompt_tokens", sa.Integer),
        sa.Column("completion_tokens", sa.Integer),
        sa.Column("total_tokens", sa.Integer),
        sa.Column("latency_s", sa.Float),
        sa.Column("ttft_s", sa.Float),
        sa.Column("finish_reason", sa.Text),
        sa.Column("complete", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("error", sa.Text),
        sa.Column("tag", sa.Text),
        sa.Column("expected", sa.Text),
        sa.CheckConstraint("kind IN ('single', 'turn', 'batch_item')"),
    )
    op.create_index("runs_created_at", "runs", ["created_at"])
    op.create_index(
        "runs_batch",
        "runs",
        ["batch_id"],
        sqlite_where=sa.text("batch_id IS NOT NULL"),
        postgresql_where=sa.text("batch_id IS NOT NULL"),
    )
    op.create_index(
        "runs_conversation",
        "runs",
        ["conversation_id"],
        sqlite_where=sa.text("conversation_id IS NOT NULL"),
        postgresql_where=sa.text("conversation_id IS NOT NULL"),
    )
    op.create_index("runs_model", "runs", ["model"])
    op.create_table(
        "run_images",
        sa.Column(
            "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("source_sha256", sa.Text),
        sa.Column("mime", sa.Text),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("url", sa.Text),
        sa.Column("steps", sa.Text, nullable=False, server_default=sa.text("'[]'")),
        # Version 1's SQLite DDL had DEFAULT x''; the store always writes a thumbnail.
        sa.Column("thumbnail", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "position"),
    )
    op.create_index("run_images_sha", "run_images", ["sha256"])
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("batch_id", sa.Text),
        sa.Column("pair_id", sa.Text),
        sa.Column("image_sha256", sa.Text),
        sa.Column("model_a", sa.Text, nullable=False),
        sa.Column("model_b", sa.Text, nullable=False),
        sa.Column("choice", sa.Text, nullable=False),
        sa.Column("tag", sa.Text),
        sa.Column("run_a_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
        sa.Column("run_b_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
        sa.CheckConstraint("choice IN ('a', 'b', 'tie', 'both_bad')"),
    )
    op.create_index(
        "votes_batch",
        "votes",
        ["batch_id"],
        sqlite_where=sa.text("batch_id IS NOT NULL"),
        postgresql_where=sa.text("batch_id IS NOT NULL"),
    )
    op.create_table(
        "image_blobs",
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("mime", sa.Text),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 1")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
