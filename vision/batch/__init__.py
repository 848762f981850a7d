"""Many items × several models: where the items come from (items/), what a recorded batch asked
and still lacks (recorded/), asking them (running/), the queue for worker processes (queue/), and
a scored batch written out per item (outputs.py)."""
