"""Schema version 11: reasoning models. A run keeps the model's reasoning apart from its answer,
and the reasoning's share of the completion tokens (usage.completion_tokens_details
.reasoning_tokens); runs saved before have neither (docs/store.md).

Revision 0011 (schema version 11), after 0010.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("reasoning", sa.Text))
    op.add_column("runs", sa.Column("reasoning_tokens", sa.Integer))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 11")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
