"""Schema version 3: images keep the names people gave them, a run keeps the images the person
attached when they differ from what was sent (a stitched grid's pictures, a follow-up's earlier
images), and a deleted run is marked rather than removed, so it can be restored and its id is
never given to another run.

Revision 0003 (schema version 3), after 0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("run_images", sa.Column("name", sa.Text))
    op.add_column("runs", sa.Column("deleted_at", sa.Float))
    op.create_table(
        "run_sources",
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
        sa.Column("thumbnail", sa.LargeBinary, nullable=False),
        sa.Column("name", sa.Text),
        sa.PrimaryKeyConstraint("run_id", "position"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 3")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
