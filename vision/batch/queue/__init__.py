"""A batch for worker processes: queued in chunks (the chunks' table is vision/history/chunks.py),
run by `vision worker`, and a chunk given up after every attempt allowed."""
