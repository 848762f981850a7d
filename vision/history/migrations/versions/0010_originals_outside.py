"""Schema version 10: kept originals outside the database. An image_blobs row says where its
bytes are (`stored_in`): still in its `data` column ('database', every row before this
version), in the blob store ('blob_store', `data` empty) or in a local file the history only
names ('file', at `path`, checked against the hash when read). The bytes themselves are moved
by the store when it opens, in batches (vision/history/blobs/move.py), not here: a migration
is one transaction, and moving gigabytes in one is what this layout avoids.

Neither new column needs a table rebuild on SQLite (a constant default is not written into old
rows), so this revision touches no image bytes; for the same reason `stored_in` has no CHECK,
which SQLite could only add by copying the table. The partial index finds the rows still to move.

Revision 0010 (schema version 10), after 0009.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "image_blobs",
        sa.Column("stored_in", sa.Text, nullable=False, server_default=sa.text("'database'")),
    )
    op.add_column("image_blobs", sa.Column("path", sa.Text))
    op.create_index(
        "image_blobs_in_database",
        "image_blobs",
        ["workspace", "sha256"],
        sqlite_where=sa.text("stored_in = 'database'"),
        postgresql_where=sa.text("stored_in = 'database'"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 10")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
