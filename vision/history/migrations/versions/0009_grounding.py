"""Schema version 9: grounding. A run keeps what it asked to locate with its reference boxes
and the coordinate frame its answer is read in; each of its images keeps what maps a model's
coordinates back to the original (its upright size, EXIF orientation and a stitched grid's
cells), so the boxes of an answer can be read again from the history alone
(docs/grounding.md).

Revision 0009 (schema version 9), after 0008.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("locate", sa.Text))
    op.add_column("runs", sa.Column("frame", sa.Text))
    for table in ("run_images", "run_sources"):
        op.add_column(table, sa.Column("original_width", sa.Integer))
        op.add_column(table, sa.Column("original_height", sa.Integer))
        op.add_column(table, sa.Column("orientation", sa.Integer))
        op.add_column(table, sa.Column("cells", sa.Text))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 9")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
