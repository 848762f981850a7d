"""`python -m vision eval`: a batch over a folder or a CSV of images, saved to the history."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from vision.api.request import DEFAULT_PROMPT
from vision.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    add_request_options,
    make_client,
    positive_int,
    request_options,
    settings_from_env,
)
from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.scoring.checks import CHECK_KINDS, model_stats, pass_rates

if TYPE_CHECKING:
    from vision.batch.runner import BatchProgress, BatchReport, BatchResult
    from vision.history.store import HistoryStore


def add_command(commands: Any) -> None:
    """Register `eval` on the CLI's subcommands."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "eval", help="run every image × every model, save to the history, write a CSV"
    )
    parser.add_argument(
        "--images", required=True, metavar="DIR_OR_CSV", help="a folder, or a CSV/list of images"
    )
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, help="the prompt (a CSV may override)")
    add_request_options(parser)
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=DEFAULT_CONCURRENCY,
        help="requests in flight at once (halved while the API answers 429)",
    )
    parser.add_argument("--out", metavar="CSV", help="write the results as CSV to this file")
    parser.add_argument("--tag", help="tag for items whose CSV row has none")
    parser.add_argument(
        "--check", choices=CHECK_KINDS, default="contains", help="how to compare with expected"
    )
    parser.add_argument("--history", metavar="FILE", help="history file (default as the app)")
    parser.set_defaults(func=execute)


class _Sink:
    """Saves each result as it arrives and shows progress: a bar on a terminal, else lines."""

    def __init__(self, store: HistoryStore, err: TextIO) -> None:
        self.store = store
        self.err = err
        self.live = err.isatty()
        self.last: BatchResult | None = None

    def result(self, result: BatchResult) -> None:
        self.store.save_run(result.to_run(), originals=result.originals)
        self.last = result

    def progress(self, progress: BatchProgress) -> None:
        if self.live:
            width = 24
            filled = round(progress.fraction * width)
            left = f" · {progress.eta_s:.0f} s left" if progress.eta_s is not None else ""
            self.err.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.finished}/{progress.total}"
                f" · {progress.failed} failed · {progress.concurrency} at once{left}   "
            )
        elif self.last is not None:
            status = "ok" if self.last.ok else f"failed: {self.last.error}"
            self.err.write(
                f"[{progress.finished}/{progress.total}] {self.last.job.model} · "
                f"{self.last.item.name or self.last.job.item_index} · {status}\n"
            )
        self.err.flush()

    def done(self) -> None:
        if self.live:
            self.err.write("\n")


def _summary(
    report: BatchReport, store: HistoryStore, args: argparse.Namespace, out: TextIO
) -> None:
    runs = store.batch_runs(report.batch_id)
    for stats in model_stats(runs):
        latency = f"{stats.mean_latency_s:.2f} s" if stats.mean_latency_s is not None else "-"
        tokens = f"{stats.mean_total_tokens:.0f}" if stats.mean_total_tokens is not None else "-"
        out.write(
            f"{stats.model}: {stats.runs - stats.errors}/{stats.runs} answered, "
            f"mean latency {latency}, mean tokens {tokens}\n"
        )
    for rate in pass_rates(runs, args.check):
        out.write(f"{rate.model}: {rate.passed}/{rate.checked} passed ({args.check})\n")
    if report.cancelled:
        out.write(f"Cancelled: {len(report.skipped)} job(s) not run.\n")
    out.write(f"Saved to {store.path} as batch {report.batch_id}.\n")


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the batch, saving each result as it completes; 0 when every job has an answer."""
    from vision.background import BackgroundTask
    from vision.batch.files import load_items
    from vision.batch.runner import ask_batch, new_batch_id
    from vision.history.export import export_csv
    from vision.history.store import HistoryStore

    items = load_items(args.images, args.prompt, tag=args.tag)
    out_path = Path(args.out) if args.out else None
    if out_path is not None and not out_path.parent.is_dir():
        raise RequestError(f"The folder of {out_path} does not exist; create it or pick another.")
    settings = settings_from_env()
    options = request_options(args)
    cancel = threading.Event()
    batch_id = new_batch_id()
    with HistoryStore(args.history) as store, make_client(settings) as client:
        sink = _Sink(store, err)
        # The batch runs in the background so that Ctrl-C here can cancel it cleanly.
        task = BackgroundTask(
            lambda: ask_batch(
                client,
                items,
                args.models,
                concurrency=args.concurrency,
                options=options,
                on_result=sink.result,
                on_progress=sink.progress,
                cancel=cancel,
                batch_id=batch_id,
            ),
            name="eval-batch",
        ).start()
        try:
            while not task.wait(0.2):
                pass
        except KeyboardInterrupt:
            cancel.set()
            err.write("\nCancelling: waiting for the requests in flight to finish...\n")
            task.wait()
        sink.done()
        if task.error is not None:
            raise task.error
        report = task.value
        assert report is not None  # ask_batch returned: neither an error nor a crash
        if out_path is not None:
            out_path.write_text(export_csv(store.batch_runs(batch_id), check=args.check))
            out.write(f"Wrote {out_path}.\n")
        _summary(report, store, args, out)
    return EXIT_OK if not report.failed and not report.cancelled else EXIT_ERROR
