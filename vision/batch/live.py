"""A batch running on a worker thread: every result saved to the history as it completes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from vision.api.client import VisionClient
from vision.api.request import RequestOptions
from vision.background import BackgroundTask
from vision.batch.runner import (
    BatchItem,
    BatchJob,
    BatchProgress,
    BatchReport,
    BatchResult,
    ask_batch,
    new_batch_id,
    retry_failed,
)
from vision.errors import VisionError
from vision.history.records import Run
from vision.history.store import HistoryStore

ClientFactory = Callable[[], VisionClient]


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchView:
    """A consistent picture of a batch at one moment, for the page to draw."""

    batch_id: str
    items: tuple[BatchItem, ...] = field(repr=False)
    models: tuple[str, ...]
    runs: dict[BatchJob, Run] = field(repr=False)
    progress: BatchProgress | None
    running: bool
    cancelling: bool
    cancelled: bool
    skipped: int
    problem: str | None

    @property
    def failed(self) -> list[Run]:
        """The latest run of each job that ended in an error."""
        return [run for run in self.runs.values() if run.failed]

    @property
    def retryable(self) -> bool:
        """True when a finished batch has failed or skipped jobs to run again."""
        return not self.running and (bool(self.failed) or self.skipped > 0)

    def ordered_runs(self) -> list[Run]:
        """The latest run of each job, image by image, in the order of the chosen models."""
        order = {model: index for index, model in enumerate(self.models)}
        return [
            self.runs[job]
            for job in sorted(self.runs, key=lambda job: (job.item_index, order[job.model]))
        ]


class LiveBatch:
    """ask_batch (then retry_failed) on a daemon thread; results land in the history at once.

    Streamlit reruns the page script on every interaction, so the batch lives in session state
    and the page only reads snapshots of it; the cancel button sets an event the batch polls.
    """

    def __init__(
        self,
        *,
        client: ClientFactory,
        store: HistoryStore,
        items: Sequence[BatchItem],
        models: Sequence[str],
        concurrency: int,
        options: RequestOptions,
    ) -> None:
        self.batch_id = new_batch_id()
        self.items = tuple(items)
        self.models = tuple(models)
        self.concurrency = concurrency
        self._client_factory = client
        self._store = store
        self._options = options
        self._lock = threading.Lock()
        self._runs: dict[BatchJob, Run] = {}
        self._progress: BatchProgress | None = None
        self._report: BatchReport | None = None
        self._problem: str | None = None
        self._cancel = threading.Event()
        self._task: BackgroundTask[None] | None = None

    # The background thread

    def _save(self, result: BatchResult) -> None:
        try:
            run = self._store.save_run(result.to_run(), originals=result.originals)
        except VisionError as err:  # the answer is still shown; the page says it was not saved
            run = result.to_run()
            with self._lock:
                self._problem = str(err)
        with self._lock:
            self._runs[result.job] = run

    def _progressed(self, progress: BatchProgress) -> None:
        with self._lock:
            self._progress = progress

    def _work(self, task: Callable[[VisionClient], BatchReport]) -> None:
        client = self._client_factory()
        try:
            report = task(client)
            with self._lock:
                self._report = report
        except VisionError as err:
            with self._lock:
                self._problem = str(err)
        finally:
            client.close()

    def _launch(self, task: Callable[[VisionClient], BatchReport]) -> LiveBatch:
        if self.running:
            return self
        self._cancel = threading.Event()
        with self._lock:
            self._problem = None
            self._progress = None
        self._task = BackgroundTask(partial(self._work, task), name="vision-batch").start()
        return self

    def start(self) -> LiveBatch:
        """Run every image × model job; returns self."""
        return self._launch(
            lambda client: ask_batch(
                client,
                self.items,
                self.models,
                concurrency=self.concurrency,
                options=self._options,
                on_result=self._save,
                on_progress=self._progressed,
                cancel=self._cancel,
                batch_id=self.batch_id,
            )
        )

    def retry(self) -> LiveBatch:
        """Run again, in the same batch, only the jobs that failed or were skipped."""
        report = self._report
        if report is None or self.running:
            return self
        return self._launch(
            lambda client: retry_failed(
                client,
                report,
                concurrency=self.concurrency,
                options=self._options,
                on_result=self._save,
                on_progress=self._progressed,
                cancel=self._cancel,
            )
        )

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
        with self._lock:
            report = self._report
            return BatchView(
                batch_id=self.batch_id,
                items=self.items,
                models=self.models,
                runs=dict(self._runs),
                progress=self._progress,
                running=running,
                cancelling=running and self._cancel.is_set(),
                cancelled=bool(report and report.cancelled) and not running,
                skipped=len(report.skipped) if report and not running else 0,
                problem=self._problem,
            )
