"""Schema version 2: a workspace on every row a person owns (runs, votes, batches, kept
originals), a batches table, originals kept once per hash and workspace with their size, and
indexes that lead with the workspace. Rows from version 1 go to the "local" workspace.

Revision 0002 (schema version 2), after 0001.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _workspace() -> sa.Column[str]:
    return sa.Column("workspace", sa.Text, nullable=False, server_default=sa.text("'local'"))


def _partial(column: str) -> dict[str, Any]:
    where = sa.text(f"{column} IS NOT NULL")
    return {"sqlite_where": where, "postgresql_where": where}


def upgrade() -> None:
    op.add_column("runs", _workspace())
    op.add_column("votes", _workspace())

    for old in ("runs_created_at", "runs_batch", "runs_conversation", "runs_model"):
        op.drop_index(old, table_name="runs")
    op.drop_index("votes_batch", table_name="votes")
    op.create_index("runs_workspace_created_at", "runs", ["workspace", "created_at"])
    op.create_index(
        "runs_workspace_batch", "runs", ["workspace", "batch_id"], **_partial("batch_id")
    )
    op.create_index(
        "runs_workspace_conversation",
        "runs",
        ["workspace", "conversation_id"],
        **_partial("conversation_id"),
    )
    op.create_index("runs_workspace_model", "runs", ["workspace", "model"])
    op.create_index("votes_workspace_batch", "votes", ["workspace", "batch_id"])
    op.create_index("votes_run_a", "votes", ["run_a_id"])
    op.create_index("votes_run_b", "votes", ["run_b_id"])

    op.create_table(
        "batches",
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("workspace", "id", name="batches_pkey"),
    )
    op.execute(
        "INSERT INTO batches (workspace, id, created_at) "
        "SELECT workspace, batch_id, MIN(created_at) FROM runs "
        "WHERE batch_id IS NOT NULL GROUP BY workspace, batch_id"
    )

    # A new primary key means a new table on SQLite; it is built beside the old one and
    # takes its name, the same way on both engines.
    op.create_table(
        "image_blobs_v2",
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("mime", sa.Text),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.Float),
        sa.PrimaryKeyConstraint("workspace", "sha256", name="image_blobs_workspace_pkey"),
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO image_blobs_v2 (workspace, sha256, mime, size, data, created_at) "
            "SELECT 'local', sha256, mime, length(data), data, :now FROM image_blobs"
        ),
        {"now": time.time()},
    )
    op.drop_table("image_blobs")
    op.rename_table("image_blobs_v2", "image_blobs")

    if op.get_bind().dialect.name == "sqlite":
        # An app from before version 2 refuses a file whose user_version is newer than its own.
        op.execute("PRAGMA user_version = 2")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
