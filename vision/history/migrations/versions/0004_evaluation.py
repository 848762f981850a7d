"""Schema version 4: evaluation. A run keeps its item's reference answers and options, the key
of a deterministic request and whether its answer came from the cache; a batch keeps what it
was asked to do (so it can be resumed or run by a worker) and its state; a judge model's
score and reason are kept beside the run they judge.

Revision 0004 (schema version 4), after 0003.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("answers", sa.Text))
    op.add_column("runs", sa.Column("choices", sa.Text))
    op.add_column("runs", sa.Column("cache_key", sa.Text))
    op.add_column(
        "runs", sa.Column("cached", sa.Integer, nullable=False, server_default=sa.text("0"))
    )
    op.create_index(
        "runs_workspace_cache",
        "runs",
        ["workspace", "cache_key"],
        sqlite_where=sa.text("cache_key IS NOT NULL"),
        postgresql_where=sa.text("cache_key IS NOT NULL"),
    )
    op.add_column("batches", sa.Column("spec", sa.Text))
    op.add_column("batches", sa.Column("state", sa.Text))
    op.add_column("batches", sa.Column("updated_at", sa.Float))
    op.create_table(
        "judgements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("judge_model", sa.Text, nullable=False),
        sa.Column("rubric", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("judgements_workspace_run", "judgements", ["workspace", "run_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 4")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
