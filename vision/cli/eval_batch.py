"""Which batch `vision eval` asks: the one it resumes (named, or the newest asked the same way),
or a new one from its --images and options."""

from __future__ import annotations

import argparse
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from vision.batch.recorded.matching import batch_to_resume
from vision.batch.recorded.spec import BatchSpec, latest_batch, load_spec
from vision.batch.running.ask import new_batch_id
from vision.chat.readiness import asked_prompt, empty_prompt_note
from vision.cli.common import chosen_reasoning, frame_overrides, listed_models, make_client
from vision.errors import RequestError
from vision.history.store import HistoryStore
from vision.limits import DEFAULT_CONCURRENCY
from vision.settings import Settings
from vision.values.request import effort_named


def chosen_batch(
    args: argparse.Namespace, opening: Future[HistoryStore], settings: Settings, err: TextIO
) -> tuple[str, BatchSpec]:
    """The batch this command asks: the one it resumes, or a new one from its options."""

    if args.resume is not None and args.images:
        # The interrupted command again with --resume: the newest batch it started.
        wanted = replace(_asked(args), reasoning_effort=effort_named(args.reasoning_effort))
        store = opening.result()
        return _resumed(args, store, batch_to_resume(store, wanted, args.resume or None))
    if args.resume is not None:
        if args.frames:
            raise RequestError(
                "--frame goes with a new batch: a resumed one reads each model in the frame "
                "it was asked in."
            )
        if args.reasoning_effort:
            raise RequestError(
                "A resumed batch asks with the reasoning effort it started with: leave out "
                "--reasoning-effort, or start a new batch with --images."
            )
        if args.repeat != 1:
            raise RequestError(
                "A resumed batch asks each item as many times as it started with: leave out "
                "--repeat, or start a new batch with --images."
            )
        store = opening.result()
        return _resumed(args, store, args.resume or latest_batch(store))
    if args.retry_errors:
        raise RequestError("--retry-errors goes with --resume: it re-asks a batch's failed jobs.")
    spec = _asked(args)
    if spec.prompt != args.prompt:
        err.write(empty_prompt_note() + "\n")
    if args.reasoning_effort:
        # Which models reason is decided now, with the server's /models, and kept in the spec.
        with make_client(settings) as client:
            listed = listed_models(client)
        spec = spec.with_reasoning(chosen_reasoning(args, listed, err))
    return new_batch_id(), spec


def _resumed(args: argparse.Namespace, store: HistoryStore, batch_id: str) -> tuple[str, BatchSpec]:
    """A recorded batch's spec, with this command's concurrency and originals' keeping."""
    spec = load_spec(store, batch_id)
    if args.concurrency:
        spec = replace(spec, concurrency=args.concurrency)
    if args.keep_originals or args.queue:
        spec = replace(spec, keep_originals=True)
    return batch_id, spec


def _asked(args: argparse.Namespace) -> BatchSpec:
    """The batch the command's --images and options ask for (its reasoning effort aside)."""
    if not args.images:
        raise RequestError("Give --images SOURCE for a new batch, or --resume to continue one.")
    if not args.models:
        raise RequestError("Choose at least one model with -m MODEL.")
    return BatchSpec(
        source=str(Path(args.images).expanduser().resolve()),
        prompt=asked_prompt(args.prompt, images=1),  # an image alone is a question
        models=tuple(args.models),
        tag=args.tag,
        system=args.system or None,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        concurrency=args.concurrency or DEFAULT_CONCURRENCY,
        circular=args.circular,
        repeats=args.repeat,
        frames=frame_overrides(args.frames, args.models),
        # Workers may run on other machines than the app that reopens the runs, so a queued
        # batch copies its originals.
        keep_originals=args.keep_originals or args.queue,
    )
