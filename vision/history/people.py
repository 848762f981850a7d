"""Who has signed in to a team's app: each workspace's person, their address and name."""

from __future__ import annotations

from sqlalchemy import select, update

from vision.history.schema import timestamp
from vision.history.store import HistoryStore
from vision.history.tables import people
from vision.values.run import utc_now


class People:
    """The people table of a history store's database (it spans every workspace)."""

    def __init__(self, store: HistoryStore) -> None:
        self._store = store
        self._database = store._database

    def record_person(self, workspace: str, email: str, name: str | None) -> None:
        """Remember (or refresh) the address and name of a workspace's person."""
        now = timestamp(utc_now())
        with self._database.writing() as db:
            done = db.execute(
                update(people)
                .where(people.c.workspace == workspace)
                .values(email=email, name=name, last_seen=now)
            )
            if done.rowcount == 0:
                self._store._insert_new(
                    db,
                    people,
                    {"workspace": workspace, "email": email, "name": name,
                     "first_seen": now, "last_seen": now},
                )  # fmt: skip

    def people(self) -> dict[str, str]:
        """Every known workspace with its person's address."""
        with self._database.reading() as db:
            rows = db.execute(select(people.c.workspace, people.c.email)).all()
        return {str(row[0]): str(row[1]) for row in rows}
