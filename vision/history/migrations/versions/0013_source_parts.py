"""Schema version 13: an image keeps the page or frame of the document or video it was made
from (a PDF's or TIFF's page, a video's or animation's frame with its time; a grid's frames), so
reopening, rerunning and the exports say which page or moment a model saw; a page batch's kept
item keeps the page or frames it sends (docs/documents.md).

Revision 0013 (schema version 13), after 0012.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("run_images", "run_sources", "kept_items"):
        op.add_column(table, sa.Column("parts", sa.Text))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 13")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
