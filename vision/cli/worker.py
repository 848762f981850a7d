"""`python -m vision worker`: run queued batches (from `vision eval --queue` or the Batch page
in team mode) chunk by chunk; start as many as you like, on as many machines."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vision.cli.common import make_client, positive_int, read_settings, seconds
from vision.cli.exits import EXIT_OK

if TYPE_CHECKING:
    from vision.batch.queue.worker import ChunkDone
    from vision.values.batch import BatchResult
    from vision.values.kept_batch import Claim


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `worker`."""
    parser.add_argument("--history", metavar="FILE", help="history file (default as the app)")
    parser.add_argument(
        "--until-idle", action="store_true", help="stop when no chunk is left to claim"
    )
    parser.add_argument(
        "--lease", type=seconds, default=None, help="seconds a claimed chunk is held (default 30)"
    )
    parser.add_argument("--poll", type=seconds, default=1.0, help="seconds between claims")
    parser.add_argument(
        "--attempts",
        type=positive_int,
        default=None,
        help="claims of a chunk before it is given up, its items saved as errors "
        "(default: VISION_BATCH_CHUNK_ATTEMPTS, else 3)",
    )
    parser.add_argument("--name", help="this worker's name in the queue")
    parser.add_argument(
        "--secrets",
        metavar="FILE",
        type=Path,
        help="the app's secrets.toml: when it says team ([access], [auth]), its [auth] must be "
        "complete, as the app requires (default: .streamlit/secrets.toml here, if there is one)",
    )


def _require_sign_in(path: Path | None) -> None:
    """Refuse (SignInSetupError) a secrets file that says team without a complete [auth]."""
    from vision.settings import SECRETS_FILE, read_secrets
    from vision.team.setup import require_sign_in, secrets_signals

    # A worker signs nobody in: without the app's secrets there is nothing to check.
    secrets = read_secrets(path or SECRETS_FILE, must_exist=path is not None)
    require_sign_in(secrets, secrets_signals(secrets))


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Claim and run chunks until interrupted (or idle, with --until-idle)."""
    from vision.batch.queue.worker import BatchWorker, WorkerSettings
    from vision.history.chunks import LEASE_S
    from vision.history.store import HistoryStore

    _require_sign_in(args.secrets)
    settings = read_settings()

    def said(claim: Claim, result: BatchResult) -> None:
        status = "ok" if result.ok else f"failed: {result.error}"
        err.write(
            f"[{claim.batch_id}#{claim.chunk}] {result.job.model} · "
            f"{result.item.name or result.job.item_index} · {status}\n"
        )
        err.flush()

    def ended(done: ChunkDone) -> None:
        claim = done.claim
        where = f"[{claim.batch_id}#{claim.chunk}]"
        if done.given_up:
            err.write(
                f"{where} given up after {claim.max_attempts} attempt(s); its unasked items are "
                "saved as errors: Retry on the Batch page, or "
                f"`vision eval --resume {claim.batch_id} --retry-errors`, asks them again.\n"
            )
        elif done.problem is not None and not done.lost:
            err.write(
                f"{where} attempt {claim.attempt} of {claim.max_attempts} failed: "
                f"{done.problem} It goes back to the queue.\n"
            )
        err.flush()

    stop = threading.Event()
    with HistoryStore(args.history) as store:
        worker = BatchWorker(
            store,
            lambda: make_client(settings),
            WorkerSettings(
                name=args.name, lease_s=args.lease or LEASE_S, max_attempts=args.attempts
            ),
            on_result=said,
            on_chunk=ended,
        )
        err.write(f"Worker {worker.name} on {store.location}.\n")
        err.flush()
        try:
            ran = worker.run(stop, poll_s=args.poll, until_idle=args.until_idle)
        except KeyboardInterrupt:
            stop.set()
            ran = 0
    out.write(f"Ran {ran} chunk(s).\n")
    return EXIT_OK
