"""`python -m vision eval`: a batch over a folder, CSV, JSONL or TSV of items, saved to the
history as each answer arrives; --resume asks only what a batch still lacks."""

from __future__ import annotations

import argparse
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vision.cli.common import (
    add_frame_option,
    add_request_options,
    make_client,
    positive_int,
    read_settings,
)
from vision.cli.exits import EXIT_ERROR, EXIT_OK
from vision.errors import RequestError
from vision.limits import DEFAULT_CONCURRENCY
from vision.scoring.metrics import METRICS
from vision.values.request import DEFAULT_PROMPT

# The store opens at the latest this long after the command starts, requests or not.
_OPEN_AFTER_S = 2.0

if TYPE_CHECKING:
    from vision.batch.recorded.spec import BatchSpec
    from vision.batch.running.engine import EngineOutcome
    from vision.cli.eval_progress import ProgressLines
    from vision.history.store import HistoryStore
    from vision.settings import Settings
    from vision.values.request import ChatClient, ChatRequest
    from vision.values.result import ChatResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `eval`."""
    parser.add_argument(
        "--images",
        metavar="SOURCE",
        help="a folder of images, or a CSV, JSONL or VLMEvalKit TSV of items",
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        metavar="BATCH",
        help="ask only what this batch (default: the newest) still lacks; with --images and "
        "the options that started it, the newest batch on that input",
    )
    parser.add_argument(
        "--retry-errors", action="store_true", help="with --resume, ask the failed jobs again"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="ask again even when an identical temperature-0 request was answered before",
    )
    parser.add_argument(
        "--repeat",
        type=positive_int,
        default=1,
        metavar="N",
        help="ask each item N times (never from the cache); the report gives each item's flip "
        "rate and each score's spread across repeats",
    )
    parser.add_argument("--prompt", default=DEFAULT_PROMPT, help="the prompt (a row may override)")
    add_request_options(parser, required=False)
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=None,
        help=f"requests in flight at once (default {DEFAULT_CONCURRENCY}; halved on 429)",
    )
    parser.add_argument("--out", metavar="CSV", help="write one row per item and model as CSV")
    parser.add_argument("--jsonl", metavar="FILE", help="write one line per item and model")
    parser.add_argument("--report", metavar="HTML", help="write a self-contained HTML report")
    parser.add_argument(
        "--draw",
        metavar="DIR",
        help="grounding items: write each answer's boxes drawn on its photo, beside the "
        "reference boxes, into DIR",
    )
    parser.add_argument("--tag", help="tag for items whose row has none")
    parser.add_argument(
        "--metric",
        "--check",
        dest="metric",
        choices=METRICS,
        default="contains",
        help="how answers are scored against the expected ones (docs/metrics.md)",
    )
    add_frame_option(parser)
    parser.add_argument(
        "--circular",
        action="store_true",
        help="ask each multiple-choice question once per rotation of its options",
    )
    parser.add_argument("--judge", metavar="MODEL", help="have this model grade every answer")
    parser.add_argument(
        "--pairwise",
        action="store_true",
        help="with --judge, have the judge compare each two models' answers instead, in both "
        "orders (only verdicts that survive the swap count)",
    )
    parser.add_argument(
        "--judge-unread",
        metavar="MODEL",
        help="with --metric choice, have this model read the answers from which the rules read "
        "no option (counted apart; the rule-only score is shown too)",
    )
    parser.add_argument(
        "--judge-text-only",
        action="store_true",
        help="show the judge no images (by default a judge that takes images sees them as "
        "each graded model received them)",
    )
    parser.add_argument(
        "--rubric",
        help="what the judge grades against (text, or @FILE); default: correct and complete",
    )
    parser.add_argument(
        "--prepare",
        choices=("threads", "processes"),
        default="threads",
        help="prepare images on threads (default) or a process pool",
    )
    parser.add_argument(
        "--keep-originals",
        action="store_true",
        help="copy each image file into the history (default: keep its path and hash; "
        "reopening a run reads the file and says if it changed or is gone)",
    )
    parser.add_argument(
        "--queue",
        action="store_true",
        help="queue the batch for `vision worker` processes instead of running it here",
    )
    parser.add_argument("--history", metavar="FILE", help="history file (default as the app)")


def _outputs(args: argparse.Namespace) -> list[Path]:
    paths = [Path(value) for value in (args.out, args.jsonl, args.report) if value]
    if args.draw:
        paths.append(Path(args.draw) / "drawn.png")
    for path in paths:
        if not path.parent.is_dir():
            raise RequestError(f"The folder of {path} does not exist; create it or pick another.")
    return paths


def _summary(
    outcome: EngineOutcome,
    batch_id: str,
    spec: BatchSpec,
    store: HistoryStore,
    args: argparse.Namespace,
    sink: ProgressLines,
    out: TextIO,
) -> None:
    from vision.cli.finished_batch import (
        chosen_metric,
        print_judging,
        print_repeats,
        print_rule_only,
        print_scores,
        scored,
        scoring_label,
        write_outputs,
    )
    from vision.scoring.checks import model_stats

    for stats in model_stats(store.batch_runs(batch_id, images=False)):
        latency = f"{stats.mean_latency_s:.2f} s" if stats.mean_latency_s is not None else "-"
        tokens = f"{stats.mean_total_tokens:.0f}" if stats.mean_total_tokens is not None else "-"
        if stats.mean_reasoning_tokens is not None:
            tokens += f" ({stats.mean_reasoning_tokens:.0f} reasoning)"
        out.write(
            f"{stats.model}: {stats.runs - stats.errors}/{stats.runs} answered, "
            f"mean latency {latency}, mean tokens {tokens}\n"
        )
    outcomes = scored(store, batch_id, args)
    print_scores(outcomes, spec.models, scoring_label(args), out, metric=chosen_metric(args))
    if args.judge_unread:
        print_rule_only(store, batch_id, args, out)
    print_repeats(outcomes, out)
    print_judging(store, batch_id, spec.models, args, out)
    write_outputs(outcomes, store, batch_id, args, out)
    if sink.cached:
        out.write(f"{sink.cached} answer(s) served from the cache (nothing asked or paid).\n")
    if outcome.cancelled:
        out.write(f"Cancelled: resume with `vision eval --resume {batch_id}`.\n")
    out.write(f"Saved to {store.location} as batch {batch_id}.\n")


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run (or resume) the batch, saving each result as it completes; 0 when every job has an
    answer."""
    _outputs(args)
    from vision.scoring.judge import DEFAULT_RUBRIC

    if (args.pairwise or args.judge_text_only) and not args.judge:
        raise RequestError("--pairwise and --judge-text-only go with --judge MODEL.")
    if args.judge_unread and (args.metric != "choice" or (args.judge and not args.pairwise)):
        raise RequestError(
            "--judge-unread reads multiple-choice answers: use it with --metric choice, and "
            "without a --judge that grades every answer."
        )
    if args.rubric is None:
        args.rubric = DEFAULT_RUBRIC
    elif args.rubric.startswith("@"):
        args.rubric = _read_rubric(args.rubric[1:])
    settings = read_settings()
    cancel = threading.Event()
    # Opening the store (importing SQLAlchemy; Alembic only to upgrade an old database) is
    # much of the start-up. A new batch sends its first requests first and opens the store
    # while they are answered: both at once would share one GIL, and the requests would wait
    # for the imports.
    sending = threading.Event()
    if args.resume is not None:
        sending.set()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="history") as opener:
        opening = opener.submit(_open_store, args.history, sending)
        try:
            return _run(args, opening, sending, settings, cancel, out, err)
        finally:
            if opening.exception() is None:
                opening.result().close()


def _queue(
    store: HistoryStore, batch_id: str, spec: BatchSpec, args: argparse.Namespace, out: TextIO
) -> int:
    from vision.batch.queue.submit import check_for_workers, queue_again

    check_for_workers(batch_id, spec)
    items = spec.open(store).count()
    if args.resume is None:
        store.save_batch(batch_id, spec.to_json(), state="queued")
        chunks = store.enqueue_chunks(batch_id, items)
    else:
        # As the page's Resume and Retry: workers ask what the batch lacks and, with
        # --retry-errors, each failure saved until now once.
        through = store.newest_batch_run(batch_id) if args.retry_errors else None
        chunks = queue_again(store, batch_id, items, retry_through=through)
        store.save_batch(batch_id, spec.to_json(), state="queued")
    out.write(
        f"Queued batch {batch_id}: {items} item(s) × {len(spec.models)} model(s) in {chunks} "
        "chunk(s); `python -m vision worker` processes run it, and "
        f"`vision eval --resume {batch_id}` scores it.\n"
    )
    return EXIT_OK


class _Sending:
    """The client, telling the store's opener when the first request goes out."""

    def __init__(self, client: ChatClient, sending: threading.Event) -> None:
        self._client = client
        self._sending = sending

    def chat(self, request: ChatRequest, /) -> ChatResult:
        self._sending.set()
        return self._client.chat(request)


def _read_rubric(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestError(f"Cannot read the rubric {path} ({exc}); check the file.") from None


def _open_store(path: str | None, sending: threading.Event) -> HistoryStore:
    sending.wait(_OPEN_AFTER_S)
    from vision.history.store import HistoryStore

    return HistoryStore(path)


def _run(
    args: argparse.Namespace,
    opening: Future[HistoryStore],
    sending: threading.Event,
    settings: Settings,
    cancel: threading.Event,
    out: TextIO,
    err: TextIO,
) -> int:
    from vision.background import BackgroundTask
    from vision.batch.running.resume import Observers, RecordedSettings, run_recorded
    from vision.cli.eval_batch import chosen_batch
    from vision.cli.eval_progress import ProgressLines

    batch_id, spec = chosen_batch(args, opening, settings, err)
    if args.queue:
        return _queue(opening.result(), batch_id, spec, args, out)
    sink = ProgressLines(err)
    with make_client(settings) as opened:
        client = _Sending(opened, sending)
        # The batch runs in the background so that Ctrl-C here can cancel it cleanly.
        asked = RecordedSettings(
            new=args.resume is None,
            retry_errors=args.retry_errors,
            use_cache=not args.no_cache,
            prepare_pool=args.prepare,
        )
        observers = Observers(
            on_plan=sink.plan, on_result=sink.result, on_progress=sink.progress, cancel=cancel
        )
        task = BackgroundTask(
            lambda: run_recorded(client, opening, batch_id, spec, asked, observers),
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
        outcome = task.value
        assert outcome is not None  # run_recorded returned: neither an error nor a crash
        store = opening.result()
        if args.judge:
            from vision.cli.finished_batch import judge_batch

            judge_batch(opened, store, batch_id, args, err)
        if args.judge_unread:
            from vision.cli.finished_batch import read_unread_answers

            read_unread_answers(opened, store, batch_id, args, err)
    _summary(outcome, batch_id, spec, store, args, sink, out)
    complete = outcome.progress.failed == 0 and not outcome.cancelled
    return EXIT_OK if complete else EXIT_ERROR
