"""A batch sent to the workers' queue: a page's batch in team mode, kept in the history, cut
into chunks for `vision worker` processes and watched through the history (its saved runs and
its chunks) instead of run here; and a recorded batch queued again (`eval --resume --queue`).

Team mode is on when the history is PostgreSQL and VISION_BATCH_QUEUE=1: the app then never
asks the API for a batch on the team's key itself; the workers do, with that key alone. A batch
on the echo backend runs here (it costs nothing, and the workers have no echo); one on a key
pasted for the session is refused, since that key never leaves its session."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from vision.batch.recorded.missing import missing_jobs
from vision.batch.recorded.spec import BatchSpec, kept_spec, load_spec
from vision.batch.running.ask import new_batch_id
from vision.errors import RequestError
from vision.history.config import QUEUE_ENV
from vision.history.store import HistoryStore
from vision.values.audit import KeyKind
from vision.values.batch import BatchItems, BatchJob, BatchProgress, BatchView, request_count
from vision.values.request import RequestOptions
from vision.values.run import Run

_POLL_S = 0.1
OWN_KEY_REFUSED = (
    "In team mode batches run on the workers with the team's key, and your own key never "
    "leaves this session, so no worker can use it: clear your key in the sidebar to run this "
    "batch on the team's key (the team pays), or switch on the echo backend to try it at no cost."
)


def queue_mode(store: HistoryStore) -> bool:
    """True when batches go to the workers' queue rather than run in this process."""
    return store.engine_name == "postgresql" and os.environ.get(QUEUE_ENV, "") == "1"


def runs_on_workers(store: HistoryStore, key_kind: KeyKind) -> bool:
    """True when a batch asked with this kind of key goes to the workers' queue: in team mode,
    on the team's key."""
    return queue_mode(store) and key_kind == "team"


def queue_refusal(store: HistoryStore, key_kind: KeyKind) -> str | None:
    """Why a batch on this kind of key cannot run in team mode, saying which key would pay;
    None when it can (on the team's key, by the workers; on the echo, here)."""
    if queue_mode(store) and key_kind == "own":
        return OWN_KEY_REFUSED
    return None


def check_for_workers(batch_id: str, spec: BatchSpec) -> None:
    """Refuse a recorded batch that was not asked with the team's key: the workers ask with
    that key alone, so they would spend the team's money on a batch the person meant to run on
    the echo or on their own key."""
    if spec.key_kind != "team":
        what = "the echo backend" if spec.key_kind == "echo" else "a key pasted for one session"
        raise RequestError(
            f"Batch {batch_id} was asked on {what}, and the workers ask with the team's key "
            "alone, so it is not run by them; reopen it on the Batch page, which runs it as it "
            "was asked."
        )


class QueuedBatch:
    """The page's handle on a queued batch: the same questions LiveBatch answers."""

    def __init__(self, store: HistoryStore, batch_id: str, spec: BatchSpec) -> None:
        self._store = store
        self.batch_id = batch_id
        self._spec = spec
        self.models = spec.models
        self.concurrency = spec.concurrency
        self._started = time.monotonic()

    @classmethod
    def queue(
        cls,
        store: HistoryStore,
        items: BatchItems,
        models: Sequence[str],
        *,
        concurrency: int,
        options: RequestOptions,
        tag: str | None = None,
        repeats: int = 1,
    ) -> QueuedBatch:
        """Keep the items and queue their chunks for the workers."""
        spec = kept_spec(
            store,
            items,
            models,
            concurrency=concurrency,
            options=options,
            tag=tag,
            repeats=repeats,
        )
        batch_id = new_batch_id()
        store.save_batch(batch_id, spec.to_json(), state="queued")
        store.enqueue_chunks(batch_id, spec.item_count or 0)
        return cls(store, batch_id, spec)

    @classmethod
    def reopen(cls, store: HistoryStore, batch_id: str) -> QueuedBatch:
        """A queued batch seen again (another session, after a restart)."""
        return cls(store, batch_id, load_spec(store, batch_id))

    @property
    def running(self) -> bool:
        """True while some chunk is queued or held by a worker."""
        counts = self._store.chunk_counts(self.batch_id)
        return counts["queued"] + counts["running"] > 0

    def wait(self, timeout: float) -> bool:
        """Block up to timeout seconds for the workers to finish the batch."""
        deadline = time.monotonic() + timeout
        while self.running:
            if time.monotonic() > deadline:
                return False
            time.sleep(_POLL_S)
        return True

    def cancel(self) -> None:
        """Workers own the batch in team mode: it cannot be stopped from one page."""

    def resume(self) -> QueuedBatch:
        """Queue a finished batch's chunks again when it lacks answers (requests a budget held
        back): a worker asks only what a chunk lacks when it claims it, never a failure."""
        if not self.running and self.missing():
            self._requeue(retry_through=None)
        return self

    def retry(self) -> QueuedBatch:
        """Queue a finished batch's chunks again to ask its failed jobs once more (and any it
        lacks): the workers ask each failure saved before now once, however often a chunk is
        claimed, and leave alone one the retry saves itself."""
        if not self.running and self._to_ask(retry_errors=True):
            self._requeue(retry_through=self._store.newest_batch_run(self.batch_id))
        return self

    def _requeue(self, *, retry_through: int | None) -> None:
        self._store.requeue_chunks(self.batch_id, retry_through=retry_through)
        self._store.set_batch_state(self.batch_id, "queued")

    def missing(self) -> int:
        """Jobs with no saved run (the workers will ask them)."""
        return self._to_ask(retry_errors=False)

    def _to_ask(self, *, retry_errors: bool) -> int:
        spec = self._spec
        return missing_jobs(
            self._store, self.batch_id, spec, spec.open(self._store), retry_errors=retry_errors
        ).to_ask

    def view(self) -> BatchView:
        """The batch as the history has it now."""
        runs: dict[BatchJob, Run] = {}
        for run in self._store.batch_runs(self.batch_id):
            job = BatchJob(item_index=run.item_index or 0, model=run.model, repeat=run.repeat)
            held = runs.get(job)
            if held is None or not run.failed or held.failed:
                runs[job] = run
        total = request_count(self._spec.item_count or 0, len(self.models), self._spec.repeats)
        failed = sum(run.failed for run in runs.values())
        counts = self._store.chunk_counts(self.batch_id)
        running = counts["queued"] + counts["running"] > 0
        elapsed = time.monotonic() - self._started
        progress = BatchProgress(
            done=len(runs) - failed,
            failed=failed,
            total=total,
            running=counts["running"],
            concurrency=self.concurrency,
            elapsed_s=elapsed,
            eta_s=None,
        )
        return BatchView(
            batch_id=self.batch_id,
            models=self.models,
            runs=runs,
            progress=progress,
            running=running,
            cancelling=False,
            cancelled=False,
            skipped=0,
            problem=None,
            total=total,
        )


def queue_again(
    store: HistoryStore, batch_id: str, items: int, *, retry_through: int | None = None
) -> int:
    """Queue a recorded batch for the workers again (`eval --resume --queue`): its chunks when
    it has some, all of them done, else new ones (a batch run here before); how many."""
    counts = store.chunk_counts(batch_id)
    if counts["queued"] + counts["running"]:
        raise RequestError(
            f"Batch {batch_id} is still queued for the workers or being run by one; wait until "
            "it is done, then queue it again."
        )
    if counts["done"]:
        return store.requeue_chunks(batch_id, retry_through=retry_through)
    return store.enqueue_chunks(batch_id, items, retry_through=retry_through)
