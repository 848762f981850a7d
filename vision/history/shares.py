"""What each workspace shares with the team: an owner names a run or batch of their own; anyone
signed in may then read it by id, until the owner stops sharing it."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, select

from vision.history.schema import timestamp
from vision.history.store import HistoryStore
from vision.history.tables import runs, shares
from vision.values.run import Run, utc_now
from vision.values.sharing import SharedBatch, ShareKind


class Shares:
    """The shares table of a history store's database (it spans every workspace)."""

    def __init__(self, store: HistoryStore) -> None:
        self._store = store
        self._database = store._database

    def share(self, workspace: str, kind: ShareKind, target: str | int) -> bool:
        """Share one of this workspace's runs or batches; False when it has no such thing."""
        own = self._store.for_workspace(workspace)
        exists = (
            own.get_run(int(target)) is not None
            if kind == "run"
            else bool(own.batch_runs(str(target)))
        )
        if not exists:
            return False
        with self._database.writing() as db:
            self._store._insert_new(
                db,
                shares,
                {"workspace": workspace, "kind": kind, "target": str(target),
                 "created_at": timestamp(utc_now())},
            )  # fmt: skip
        return True

    def unshare(self, workspace: str, kind: ShareKind, target: str | int) -> bool:
        """Stop sharing; False when it was not shared."""
        with self._database.writing() as db:
            done = db.execute(
                delete(shares).where(
                    shares.c.workspace == workspace,
                    shares.c.kind == kind,
                    shares.c.target == str(target),
                )
            )
            return done.rowcount > 0

    def is_shared(self, workspace: str, kind: ShareKind, target: str | int) -> bool:
        """True when this workspace shares this run or batch."""
        query = select(func.count()).where(
            shares.c.workspace == workspace, shares.c.kind == kind, shares.c.target == str(target)
        )
        with self._database.reading() as db:
            return int(db.execute(query).scalar_one()) > 0

    def shared_by(self, workspace: str) -> list[tuple[ShareKind, str]]:
        """What this workspace shares, newest first."""
        query = (
            select(shares.c.kind, shares.c.target)
            .where(shares.c.workspace == workspace)
            .order_by(shares.c.created_at.desc())
        )
        with self._database.reading() as db:
            return [(row[0], str(row[1])) for row in db.execute(query).all()]

    def shared_run(self, run_id: int) -> tuple[str, Run] | None:
        """A run its owner shares, with the owner's workspace; None for any other id."""
        query = select(runs.c.workspace).where(
            runs.c.id == run_id,
            runs.c.deleted_at.is_(None),
            select(shares.c.target)
            .where(
                and_(
                    shares.c.workspace == runs.c.workspace,
                    shares.c.kind == "run",
                    shares.c.target == str(run_id),
                )
            )
            .exists(),
        )
        with self._database.reading() as db:
            owner = db.execute(query).scalar()
        if owner is None:
            return None
        run = self._store.for_workspace(str(owner)).get_run(run_id)
        return None if run is None else (str(owner), run)

    def shared_original(self, run_id: int, sha256: str) -> bytes | None:
        """The kept original of one of the images of a run its owner shares (named by its
        hash); None for a run not shared, a hash not of that run, or bytes not kept."""
        found = self.shared_run(run_id)
        if found is None:
            return None
        owner, run = found
        hashes = {
            sha
            for image in (*run.images, *run.sources)
            for sha in (image.sha256, image.source_sha256)
            if sha
        }
        if sha256 not in hashes:
            return None
        return self._store.for_workspace(owner).image_bytes(sha256)

    def shared_batches(self, batch_id: str, *, viewer: str | None = None) -> list[SharedBatch]:
        """Every shared batch with this id (ids are unique per workspace, so usually one), with
        its owner's record of it, which names it; with a viewer, their own batch of this id too
        (first, when they do not share it)."""
        query = select(shares.c.workspace).where(
            shares.c.kind == "batch", shares.c.target == batch_id
        )
        with self._database.reading() as db:
            owners = [str(owner) for owner in db.execute(query).scalars()]
        found = [batch for owner in sorted(owners) if (batch := self._batch(owner, batch_id))]
        if viewer is not None and all(batch.owner != viewer for batch in found):
            own = self._batch(viewer, batch_id)
            if own is not None:
                found.insert(0, own)
        return found

    def _batch(self, owner: str, batch_id: str) -> SharedBatch | None:
        theirs = self._store.for_workspace(owner)
        batch_runs = theirs.batch_runs(batch_id)
        if not batch_runs:
            return None
        kept = theirs.kept_batches(1, ids=[batch_id])
        return SharedBatch(
            owner=owner, batch_id=batch_id, runs=tuple(batch_runs), kept=kept[0] if kept else None
        )
