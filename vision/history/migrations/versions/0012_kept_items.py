"""Schema version 12: a page's batch items in a table of their own. Until now a page's batch
listed every item in its spec (`batches.spec`, one JSON value), which every read of the batch
loaded whole; now each item is a row of `kept_items` under a list id the spec names with the
items' number, so a page or a worker reads only the rows it needs. Every batch kept before is
moved over here: its items become rows listed under its own id (docs/store.md).

Revision 0012 (schema version 12), after 0011.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Rows inserted per statement while moving a batch's items.
_ROWS_PER_INSERT = 500

_batches = sa.table(
    "batches",
    sa.column("workspace", sa.Text),
    sa.column("id", sa.Text),
    sa.column("spec", sa.Text),
)


def _listed(values: Any) -> str | None:
    return json.dumps([str(value) for value in values]) if values else None


def _row(workspace: str, list_id: str, position: int, entry: dict[str, Any]) -> dict[str, Any]:
    """One item as version 11 and before listed it in a spec, as a row of kept_items."""
    return {
        "workspace": workspace,
        "list_id": list_id,
        "position": position,
        "prompt": str(entry.get("prompt") or ""),
        "name": entry.get("name") or None,
        "expected": entry.get("expected"),
        "answers": _listed(entry.get("answers")),
        "choices": _listed(entry.get("choices")),
        "tag": entry.get("tag"),
        "locate": json.dumps(entry["locate"]) if entry.get("locate") else None,
        "image_sha256": entry.get("sha256"),
        "image_url": entry.get("url"),
    }


def _move_items(connection: sa.Connection, kept_items: sa.Table) -> None:
    """Each page batch's listed items into kept_items, its spec then naming them; one batch's
    spec at a time is read, so a history of large batches moves in bounded memory."""
    keys = connection.execute(
        sa.select(_batches.c.workspace, _batches.c.id).where(_batches.c.spec.is_not(None))
    ).all()
    for workspace, batch_id in keys:
        mine = sa.and_(_batches.c.workspace == workspace, _batches.c.id == batch_id)
        spec = json.loads(connection.execute(sa.select(_batches.c.spec).where(mine)).scalar_one())
        listed = spec.pop("items", None)
        if not isinstance(listed, list):
            continue
        rows = [_row(workspace, batch_id, n, entry) for n, entry in enumerate(listed)]
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            connection.execute(sa.insert(kept_items), rows[start : start + _ROWS_PER_INSERT])
        spec.update(item_list=batch_id, item_count=len(rows))
        connection.execute(
            sa.update(_batches).where(mine).values(spec=json.dumps(spec, sort_keys=True))
        )


def upgrade() -> None:
    kept_items = op.create_table(
        "kept_items",
        sa.Column("workspace", sa.Text, nullable=False),
        sa.Column("list_id", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("expected", sa.Text),
        sa.Column("answers", sa.Text),
        sa.Column("choices", sa.Text),
        sa.Column("tag", sa.Text),
        sa.Column("locate", sa.Text),
        sa.Column("image_sha256", sa.Text),
        sa.Column("image_url", sa.Text),
        sa.PrimaryKeyConstraint("workspace", "list_id", "position", name="kept_items_pkey"),
    )
    assert kept_items is not None
    _move_items(op.get_bind(), kept_items)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 12")


def downgrade() -> None:
    raise NotImplementedError("The history is not downgraded; restore a backup instead.")
