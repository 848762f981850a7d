"""A batch worker: claims a chunk of a queued batch, asks what it lacks, renews its lease while
it works, and takes the next; `python -m vision worker` runs one per process. A chunk it fails
on goes back to the queue at once; one that failed or crashed its worker on every attempt
allowed (VISION_BATCH_CHUNK_ATTEMPTS, 3 by default) is given up (give_up.py). A batch runs as
its owner's: every answer is audited with their address, and a request that would pass their or
the team's daily budget is held back unsent (vision/team/on_behalf.py). A worker asks with the
team's key, so it runs only batches that were asked with that key (submit.py)."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from vision.batch.queue.give_up import give_up_chunk
from vision.batch.queue.submit import check_for_workers
from vision.batch.recorded.spec import load_spec
from vision.batch.running.heartbeat import Heartbeat
from vision.batch.running.resume import Observers, RecordedSettings, run_recorded
from vision.errors import RequestError, VisionError
from vision.history.chunks import DEFAULT_CHUNK_ATTEMPTS, LEASE_S
from vision.history.store import HistoryStore
from vision.team.on_behalf import BudgetedClient, catalog_prices, owner_store
from vision.team.records import TeamRecords
from vision.team.reservations import Prices, Reservations, no_prices
from vision.team.spending import Budget
from vision.values.batch import BatchResult
from vision.values.kept_batch import Claim
from vision.values.request import ChatClient

ClientFactory = Callable[[], ChatClient]
CHUNK_ATTEMPTS_ENV = "VISION_BATCH_CHUNK_ATTEMPTS"


def chunk_attempts(environ: Mapping[str, str] | None = None) -> int:
    """How many times a chunk is claimed before it is given up, from VISION_BATCH_CHUNK_ATTEMPTS."""
    env = os.environ if environ is None else environ
    raw = env.get(CHUNK_ATTEMPTS_ENV, "").strip()
    if not raw:
        return DEFAULT_CHUNK_ATTEMPTS
    if not raw.isdigit() or int(raw) < 1:
        raise RequestError(
            f"{CHUNK_ATTEMPTS_ENV} must be a whole number of at least 1; it is {raw!r}."
        )
    return int(raw)


def worker_name() -> str:
    """A name that says which machine and process a worker is, unique per start."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChunkDone:
    """What one claimed chunk produced: answers, failures, and whether the lease was lost."""

    claim: Claim
    answered: int
    failed: int
    lost: bool
    problem: str | None = None
    given_up: bool = False  # every attempt allowed was made: its unasked jobs saved as errors


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    """A worker's name in the queue (None: its machine and process), how long a claimed chunk
    is held, how many claims a chunk gets before it is given up (None: from
    VISION_BATCH_CHUNK_ATTEMPTS), and the daily budgets (None: from the environment)."""

    name: str | None = None
    lease_s: float = LEASE_S
    max_attempts: int | None = None
    budget: Budget | None = None


class BatchWorker:
    """Claims chunks from the store's queue and runs them with a client of its own."""

    def __init__(
        self,
        store: HistoryStore,
        client: ClientFactory,
        settings: WorkerSettings | None = None,
        *,
        on_result: Callable[[Claim, BatchResult], None] | None = None,
        on_chunk: Callable[[ChunkDone], None] | None = None,
    ) -> None:
        chosen = settings or WorkerSettings()
        self.store = store
        self.name = chosen.name or worker_name()
        self.lease_s = chosen.lease_s
        self.max_attempts = chunk_attempts() if chosen.max_attempts is None else chosen.max_attempts
        self.budget = Budget.from_env() if chosen.budget is None else chosen.budget
        self._client = client
        self._on_result = on_result
        self._on_chunk = on_chunk
        self._prices: Prices | None = None
        # One set of holds for every chunk this worker runs (each on its own thread).
        self._reservations: Reservations | None = None

    def _owners_client(self, claim: Claim) -> BudgetedClient:
        """A client that holds back, unsent, a request passing the owner's or the team's
        budget; the prices of /models are read once, through the first one."""
        client = self._client()
        if self._prices is None:
            self._prices = catalog_prices(client)
        if self._reservations is None:
            self._reservations = Reservations(TeamRecords(self.store), self.budget)
        self._reservations.prices = self._prices
        return BudgetedClient(client, reservations=self._reservations, workspace=claim.workspace)

    def run_one(self, stop: threading.Event | None = None) -> ChunkDone | None:
        """Claim and run one chunk; None when the queue has nothing to claim."""
        claim = self.store.claim_chunk(
            self.name, lease_s=self.lease_s, max_attempts=self.max_attempts
        )
        if claim is None:
            return None
        view = self.store.for_workspace(claim.workspace)
        if claim.exhausted:
            return self._give_up(view, claim)
        lost = threading.Event()
        halt = threading.Event()
        counts = {"answered": 0, "failed": 0}

        def keep_lease() -> None:
            # Renewed between results too: one slow request must not let the lease run out.
            while not halt.wait(self.lease_s / 3):
                if not self.store.renew_lease(claim, lease_s=self.lease_s):
                    lost.set()
                    return

        def saved(result: BatchResult) -> None:
            counts["answered" if result.ok else "failed"] += 1
            if self._on_result is not None:
                self._on_result(claim, result)

        keeper = threading.Thread(target=keep_lease, name="lease", daemon=True)
        keeper.start()
        cancel = _Either(lost, stop)
        problem = None
        try:
            spec = load_spec(view, claim.batch_id)
            check_for_workers(claim.batch_id, spec)  # the team's key asks only what it should
            view.set_batch_state(claim.batch_id, "running")
            client = self._owners_client(claim)
            with _closing(client), Heartbeat(view, claim.batch_id):
                # Saved as the owner's, each answer audited with their address (as a Send is).
                owners = owner_store(self.store, claim.workspace, self._prices or no_prices, client)
                chunk = RecordedSettings(
                    # A Retry's chunk asks the failures it saw again; one a claim before this
                    # one saved (the retry's own) is not asked twice.
                    retry_errors=claim.retry_through is not None,
                    errors_through=claim.retry_through,
                    within=claim.items,
                    record_state=False,
                )
                observers = Observers(on_result=saved, cancel=cancel.event)
                run_recorded(client, owners, claim.batch_id, spec, chunk, observers)
        except VisionError as err:
            problem = str(err)
        except BaseException:
            # A bug, or the process told to end: the chunk goes back (its attempt counted) for
            # this or another worker, and the error stays loud.
            self.store.release_chunk(claim)
            raise
        finally:
            halt.set()
            keeper.join()
            cancel.close()
        stopped = lost.is_set() or (stop is not None and stop.is_set())
        if problem is not None and not lost.is_set():
            if claim.last_chance:
                return self._give_up(view, claim, problem)
            self.store.release_chunk(claim)
        elif not stopped and self.store.finish_chunk(claim):
            view.set_batch_state(claim.batch_id, "done")
        return ChunkDone(
            claim=claim,
            answered=counts["answered"],
            failed=counts["failed"],
            lost=lost.is_set(),
            problem=problem,
        )

    def _give_up(self, view: HistoryStore, claim: Claim, problem: str | None = None) -> ChunkDone:
        """Save the chunk's unanswered jobs as errors that say how to retry them; finish it."""
        try:
            spec = load_spec(view, claim.batch_id)
        except VisionError as err:
            problem = str(err)  # nothing to save the errors against: the chunk just ends
            given_up: list[BatchResult] = []
        else:
            given_up = give_up_chunk(view, claim, spec, problem)
        for result in given_up:
            if self._on_result is not None:
                self._on_result(claim, result)
        if self.store.finish_chunk(claim):
            view.set_batch_state(claim.batch_id, "done")
        return ChunkDone(
            claim=claim,
            answered=0,
            failed=len(given_up),
            lost=False,
            problem=problem,
            given_up=True,
        )

    def run(self, stop: threading.Event, *, poll_s: float = 1.0, until_idle: bool = False) -> int:
        """Run chunks until `stop` (or, with until_idle, until every chunk is done: one another
        worker holds may come back when its lease runs out); how many ran."""
        ran = 0
        while not stop.is_set():
            done = self.run_one(stop)
            if done is None:
                if until_idle and self.store.unfinished_chunks() == 0:
                    break
                stop.wait(poll_s)
                continue
            if self._on_chunk is not None:
                self._on_chunk(done)
            ran += 1
        return ran


class _Either:
    """One event set when either of two is: the lease lost, or the worker told to stop."""

    def __init__(self, lost: threading.Event, stop: threading.Event | None) -> None:
        self.event = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, args=(lost, stop), name="cancel", daemon=True
        )
        self._thread.start()

    def _watch(self, lost: threading.Event, stop: threading.Event | None) -> None:
        while not self._done.wait(0.1):
            if lost.is_set() or (stop is not None and stop.is_set()):
                self.event.set()
                return

    def close(self) -> None:
        self._done.set()
        self._thread.join()


class _closing:
    """Close a client that has close() when the block ends."""

    def __init__(self, client: ChatClient) -> None:
        self.client = client

    def __enter__(self) -> ChatClient:
        return self.client

    def __exit__(self, *exc: object) -> None:
        close = getattr(self.client, "close", None)
        if callable(close):
            close()
