"""Schema version 8: a judge that sees the images, and pairwise judging. Each verdict on a run
records whether the judge was shown the image(s) the graded model received (`saw_images`); a
judge's comparison of two models' answers to the same item, asked in both orders, is kept in
`pair_verdicts` (docs/metrics.md).

Revision 0008 (schema version 8), after 0007.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_PREFERENCES = "('a', 'b', 'tie')"


def upgrade() -> None:
    op.add_column(
        "judgements",
        sa.Column("saw_images", sa.Integer, nullable=False, server_default=sa.text("0")),
    )
    op.create_table(
        "pair_verdicts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("pair_id", sa.Text, nullable=False),
        sa.Column(
            "run_a_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "run_b_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("model_a", sa.Text, nullable=False),
        sa.Column("model_b", sa.Text, nullable=False),
        sa.Column("judge_model", sa.Text, nullable=False),
        sa.Column("rubric", sa.Text, nullable=False),
        sa.Column("a_first", sa.Text, nullable=False),
        sa.Column("b_first", sa.Text, nullable=False),
        sa.Column("reason_a_first", sa.Text, nullable=False),
        sa.Column("reason_b_first", sa.Text, nullable=False),
        sa.Column("saw_images", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.CheckConstraint(f"a_first IN {_PREFERENCES}"),
        sa.CheckConstraint(f"b_first IN {_PREFERENCES}"),
    )
    op.create_index("pair_verdicts_workspace_batch", "pair_verdicts", ["workspace", "batch_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 8")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
