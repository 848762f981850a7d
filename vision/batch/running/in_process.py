"""A batch running on a worker thread of this process: kept in the history (its uploads and
spec too) and saved as each answer arrives, so it runs on when the tab closes, another session
can watch it, and after a restart it is reopened from the history and resumed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

from vision.api.client import VisionClient
from vision.background import BackgroundTask
from vision.batch.recorded.missing import missing_jobs
from vision.batch.recorded.spec import BatchSpec, keep_items, load_spec
from vision.batch.running.ask import new_batch_id
from vision.batch.running.engine import EngineOutcome
from vision.batch.running.heartbeat import Heartbeat
from vision.batch.running.resume import Observers, RecordedSettings, run_recorded
from vision.errors import VisionError
from vision.history.store import HistoryStore
from vision.values.batch import (
    BatchItems,
    BatchJob,
    BatchProgress,
    BatchResult,
    BatchView,
    request_count,
)
from vision.values.run import Run

ClientFactory = Callable[[], VisionClient]

# The batches running in this process, by workspace and id: a session that comes back (or
# another one) finds its batch here while it runs.
_RUNNING: dict[tuple[str, str], LiveBatch] = {}
_RUNNING_LOCK = threading.Lock()


def running_batch(workspace: str, batch_id: str) -> LiveBatch | None:
    """The batch of this id running (or last run) in this process, if any."""
    with _RUNNING_LOCK:
        return _RUNNING.get((workspace, batch_id))


class LiveBatch:
    """run_recorded on a daemon thread; results land in the history at once.

    Streamlit reruns the page script on every interaction, so the page only reads snapshots of
    the batch; the cancel button sets an event the batch polls.
    """

    def __init__(
        self,
        *,
        client: ClientFactory,
        store: HistoryStore,
        items: BatchItems,
        spec: BatchSpec,
        use_cache: bool = True,
        batch_id: str | None = None,
    ) -> None:
        """A batch of these items as `spec` asks (vision.batch.recorded.spec.page_spec for a
        new one: its items are kept in the history when it starts, read as they are kept)."""
        self.batch_id = batch_id or new_batch_id()
        self._items = items
        self._count = items.count()
        self.models = spec.models
        self.concurrency = spec.concurrency
        self.use_cache = use_cache
        self._client_factory = client
        self._store = store
        self._spec = spec
        self._lock = threading.Lock()
        self._runs: dict[BatchJob, Run] = {}
        self._progress: BatchProgress | None = None
        self._outcome: EngineOutcome | None = None
        self._problem: str | None = None
        self._cancel = threading.Event()
        self._task: BackgroundTask[None] | None = None

    @classmethod
    def reopen(cls, store: HistoryStore, batch_id: str, client: ClientFactory) -> LiveBatch:
        """A kept batch as the history has it (its answers so far), ready to resume."""
        running = running_batch(store.workspace, batch_id)
        if running is not None:
            return running
        spec = load_spec(store, batch_id)
        live = cls(client=client, store=store, items=spec.open(store), spec=spec, batch_id=batch_id)
        for run in store.batch_runs(batch_id):
            job = BatchJob(item_index=run.item_index or 0, model=run.model, repeat=run.repeat)
            held = live._runs.get(job)
            if held is None or not run.failed or held.failed:
                live._runs[job] = run
        return live

    def missing(self) -> int:
        """Jobs of a kept batch with no saved run (failures not counted)."""
        spec = self._spec
        if spec.awaits_items:
            return 0  # not started: nothing is kept yet
        found = missing_jobs(
            self._store, self.batch_id, spec, spec.open(self._store), retry_errors=False
        )
        return found.to_ask

    # The background thread

    def _saved(self, result: BatchResult, run: Run) -> None:
        with self._lock:
            self._runs[result.job] = run

    def _progressed(self, progress: BatchProgress) -> None:
        with self._lock:
            self._progress = progress

    def _work(self, retry_errors: bool) -> None:
        client = self._client_factory()
        try:
            spec = self._spec
            if spec.awaits_items:
                spec = keep_items(self._store, spec, self._items)
                self._spec = spec
            settings = RecordedSettings(
                new=not self._runs and retry_errors is False and self._outcome is None,
                retry_errors=retry_errors,
                use_cache=self.use_cache,
            )
            observers = Observers(
                on_saved=self._saved, on_progress=self._progressed, cancel=self._cancel
            )
            # Other tabs and replicas read the batch's progress from the store; the heartbeat
            # tells them it is still running here.
            with Heartbeat(self._store, self.batch_id):
                outcome = run_recorded(
                    client, self._store, self.batch_id, spec, settings, observers
                )
            with self._lock:
                self._outcome = outcome
        except VisionError as err:
            with self._lock:
                self._problem = str(err)
        finally:
            client.close()

    def _launch(self, retry_errors: bool) -> LiveBatch:
        if self.running:
            return self
        self._cancel = threading.Event()
        with self._lock:
            self._problem = None
            self._progress = None
        with _RUNNING_LOCK:
            _RUNNING[(self._store.workspace, self.batch_id)] = self
        self._task = BackgroundTask(partial(self._work, retry_errors), name="vision-batch").start()
        return self

    def start(self) -> LiveBatch:
        """Run every item × model job; returns self."""
        return self._launch(retry_errors=False)

    def resume(self) -> LiveBatch:
        """Ask only the jobs without a saved run (after a cancel, a crash or a restart)."""
        return self._launch(retry_errors=False)

    def retry(self) -> LiveBatch:
        """Run again, in the same batch, the jobs that failed and those not run."""
        return self._launch(retry_errors=True)

    # The page thread

    def cancel(self) -> None:
        """Stop launching jobs; the ones in flight finish and are kept."""
        self._cancel.set()

    def wait(self, timeout: float) -> bool:
        """Block up to timeout seconds for the batch to end; True when it has."""
        task = self._task
        return task is None or task.wait(timeout)

    @property
    def running(self) -> bool:
        """True while jobs are in flight or queued."""
        return self._task is not None and self._task.running

    def view(self) -> BatchView:
        """The batch as it is now; re-raises any non-VisionError the batch hit."""
        running = self.running
        if self._task is not None:
            self._task.value  # noqa: B018  (re-raises a crash here, on the page's thread)
        total = request_count(self._count, len(self.models), self._spec.repeats)
        with self._lock:
            outcome = self._outcome
            runs = dict(self._runs)
            answered = sum(not run.failed for run in runs.values())
            failed = len(runs) - answered
            skipped = 0
            if not running and total:
                skipped = max(0, total - answered - failed)
            return BatchView(
                batch_id=self.batch_id,
                models=self.models,
                runs=runs,
                progress=self._progress,
                running=running,
                cancelling=running and self._cancel.is_set(),
                cancelled=bool(outcome and outcome.cancelled) and not running,
                skipped=skipped,
                problem=self._problem,
                total=total,
            )
