"""Schema version 5: a team. Who signed in (people), what they share with the team (shares),
and the audit trail of sign-ins, denials and requests with their tokens and cost (audit_events),
which budgets and the admin page read. Metadata only: no prompt, image or key.

Revision 0005 (schema version 5), after 0004.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("workspace", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("first_seen", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
    )
    op.create_table(
        "shares",
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("workspace", "kind", "target", name="shares_pkey"),
        sa.CheckConstraint("kind IN ('run', 'batch')"),
    )
    op.create_index("shares_kind_target", "shares", ["kind", "target"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("workspace", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("model", sa.Text),
        sa.Column("run_id", sa.Integer),
        sa.Column("batch_id", sa.Text),
        sa.Column("images", sa.Integer),
        sa.Column("prompt_tokens", sa.Integer),
        sa.Column("completion_tokens", sa.Integer),
        sa.Column("cost", sa.Float),
        sa.Column("key", sa.Text),
        sa.Column("detail", sa.Text),
    )
    op.create_index("audit_events_created_at", "audit_events", ["created_at"])
    op.create_index(
        "audit_events_workspace_created_at", "audit_events", ["workspace", "created_at"]
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 5")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
