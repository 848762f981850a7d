"""Alembic migrations of the history, run by the store when it opens (vision.history.migrate)."""
