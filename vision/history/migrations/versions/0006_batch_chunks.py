"""Schema version 6: the batch queue. A queued batch is cut into chunks of items that worker
processes claim with a lease, renew while they work and hand back when done; a chunk whose
lease ran out (its worker died) is claimed by another (docs/evaluation.md).

Revision 0006 (schema version 6), after 0005.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_chunks",
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("chunk", sa.Integer, nullable=False),
        sa.Column("first_item", sa.Integer, nullable=False),
        sa.Column("end_item", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("worker", sa.Text),
        sa.Column("lease_until", sa.Float),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("workspace", "batch_id", "chunk", name="batch_chunks_pkey"),
        sa.CheckConstraint("state IN ('queued', 'running', 'done')"),
    )
    op.create_index("batch_chunks_state", "batch_chunks", ["state", "created_at"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 6")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
