"""Schema version 7: a queued batch's Retry. A chunk queued again by Retry carries the newest
run id of its batch at the click (`retry_through`); the worker that claims it asks again the
failures saved up to that run, so each is asked once however often the chunk is claimed
(docs/evaluation.md).

Revision 0007 (schema version 7), after 0006.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("batch_chunks", sa.Column("retry_through", sa.Integer))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 7")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
