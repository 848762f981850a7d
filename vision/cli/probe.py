"""`python -m vision probe`: measure what a model's images cost, and remember it."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vision.cli.common import make_client, print_json, read_settings
from vision.cli.exits import EXIT_OK
from vision.errors import VisionError

if TYPE_CHECKING:
    from vision.api.client import VisionClient
    from vision.values.result import ModelInfo


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options and arguments of `probe`."""
    parser.add_argument("-m", "--model", required=True, metavar="MODEL", help="the model id")
    parser.add_argument(
        "--yes", action="store_true", help="send the probe's requests (without it, only the plan)"
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="FILE",
        help="the calibration file (default: calibration.json beside the history)",
    )
    parser.add_argument("--json", action="store_true", help="print the plan or report as JSON")


def _model_info(client: VisionClient, model: str) -> ModelInfo | None:
    """What /models says about the model (prices, image support), or None when unknown."""
    try:
        models = client.list_models()
    except VisionError:
        return None  # the probe itself will say whether the model answers
    return next((info for info in models if info.id == model), None)


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the probe's plan and cost; with --yes, run it and store what it measured."""
    # Imported here, as in every command: `--help` loads no image or HTTP library.
    from vision.calibration.calibrator import calibrator_at
    from vision.calibration.probe import plan_probe, run_probe
    from vision.calibration.storage import default_calibration_path

    store = args.store or default_calibration_path()
    with make_client(read_settings()) as client:
        plan = plan_probe(args.model, _model_info(client, args.model))
        if not args.yes:
            if args.json:
                print_json({"plan": asdict(plan), "sent": False}, out)
            else:
                out.write("\n".join(plan.lines()) + "\n")
                out.write(f"Nothing was sent. Run again with --yes to send the {plan.requests} ")
                out.write("requests.\n")
            return EXIT_OK

        def show(done: int, total: int) -> None:
            err.write(f"\rprobing: {done}/{total} answers")
            if done == total:
                err.write("\n")

        report = run_probe(client, plan, calibrator_at(store), progress=show)
    if args.json:
        facts = asdict(report)
        facts["discovery"] = None if report.discovery is None else report.discovery.how
        print_json({"plan": asdict(plan), "sent": True, "report": facts, "store": str(store)}, out)
        return EXIT_OK
    out.write("\n".join(report.lines()) + "\n")
    out.write(f"Stored {len(report.points)} measurements in {store}.\n")
    return EXIT_OK
