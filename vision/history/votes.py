"""The blind votes a workspace casts, each naming runs of the same workspace."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import delete, insert, select

from vision.errors import HistoryError
from vision.history.rows import WorkspaceRows, new_id
from vision.history.schema import (
    VOTE_COLUMNS,
    vote_from_row,
    vote_values,
)
from vision.history.tables import (
    runs,
    votes,
)
from vision.values.run import VOTE_CHOICES, Vote


class VoteRecords(WorkspaceRows):
    """A workspace's blind votes."""

    def save_vote(self, vote: Vote) -> Vote:
        """Save a vote in its own transaction; return it with its new id. The runs it names must
        be this workspace's."""
        if vote.choice not in VOTE_CHOICES:
            raise HistoryError(
                f"A vote's choice is one of {', '.join(VOTE_CHOICES)}; not {vote.choice!r}."
            )
        named = {run_id for run_id in (vote.run_a_id, vote.run_b_id) if run_id is not None}
        with self._database.writing() as db:
            if named:
                found = set(
                    db.execute(
                        select(runs.c.id).where(runs.c.id.in_(named), self._mine(runs))
                    ).scalars()
                )
                missing = sorted(named - found)
                if missing:
                    raise HistoryError(
                        f"This vote names run {missing[0]}, which is not in the history."
                    )
            inserted = db.execute(
                insert(votes).values({**vote_values(vote), "workspace": self.workspace})
            )
        return replace(vote, id=new_id(inserted))

    def votes(self, *, batch_id: str | None = None, tag: str | None = None) -> list[Vote]:
        """Votes oldest first (the leaderboard's input), optionally for one batch or tag."""
        query = select(votes.c.id, *(votes.c[name] for name in VOTE_COLUMNS)).where(
            self._mine(votes)
        )
        if batch_id:
            query = query.where(votes.c.batch_id == batch_id)
        if tag:
            query = query.where(votes.c.tag == tag)
        with self._database.reading() as db:
            rows = db.execute(query.order_by(votes.c.id)).mappings()
            return [vote_from_row(row) for row in rows]

    def delete_vote(self, vote_id: int) -> bool:
        """Delete a vote; False when there was no such vote."""
        with self._database.writing() as db:
            done = db.execute(delete(votes).where(votes.c.id == vote_id, self._mine(votes)))
            return done.rowcount > 0
