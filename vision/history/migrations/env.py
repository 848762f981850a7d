"""Alembic's entry point: migrate the connection that vision.history.migrate hands over, inside
the transaction it holds (so a failed upgrade leaves the database as it was)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise TypeError(
        "The history's migrations run from the app (vision.history.migrate), which passes "
        "the connection; there is no alembic.ini to read a URL from."
    )
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
