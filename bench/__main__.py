"""`python -m bench`: every benchmark section in one run, then a pass/fail summary.

Figures are ratios to baselines measured in the same run, or medians of repetitions; the
machine is shared, so absolute times drift between runs.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

import PIL

from bench import (
    batch_bench,
    document_bench,
    eval_bench,
    history_bench,
    intake_bench,
    load_bench,
    originals_bench,
    page_bench,
    protocol_bench,
    queue_bench,
    redaction_bench,
    startup_bench,
    statistics_bench,
    table_bench,
)
from bench.sections import Verdict, summary


def _batch() -> list[Verdict]:
    """The batch benchmark; its own main prints its figures."""
    print("\n### 5. Batch against the echo backend (bench/batch_bench.py)\n")
    code = batch_bench.main()
    return [
        Verdict(
            target="batch: 20 images × 2 models within its target",
            measured="see section 5",
            passed=code == 0,
        )
    ]


def _evaluation() -> list[Verdict]:
    """`vision eval` as a command: its time, its memory over 20 and 2,000 photos, throughput."""
    print("\n### 8. `vision eval` at any size (bench/eval_bench.py)\n")
    with tempfile.TemporaryDirectory(prefix="vision-eval-bench-") as folder:
        root = Path(folder)
        (root / "command").mkdir()
        verdicts = eval_bench.command_section(root / "command")
        verdicts += eval_bench.throughput_section(root)
        verdicts += eval_bench.memory_section(root)
    return verdicts


def main() -> int:
    """Run every section; exit 1 when a target is missed."""
    start = time.perf_counter()
    print(
        f"# Vision Playground benchmark (Python {platform.python_version()}, "
        f"Pillow {PIL.__version__}, {platform.machine()})"
    )
    verdicts: list[Verdict] = []
    with tempfile.TemporaryDirectory(prefix="vision-bench-") as folder:
        directory = Path(folder)
        generated = time.perf_counter()
        paths = intake_bench.write_max_set(directory)
        print(f"(generated {len(paths)} test images in {time.perf_counter() - generated:.1f} s)")
        verdicts.extend(intake_bench.speed_section((directory / "photo-3.jpg").read_bytes()))
        memory, results = intake_bench.memory_section(directory)
        verdicts.extend(memory)
        verdicts.extend(intake_bench.payload_section(results))
        files = page_bench.uploads(paths)
    verdicts.extend(page_bench.page_section(files))
    del files
    verdicts.extend(_batch())
    verdicts.extend(startup_bench.startup_section())
    verdicts.extend(_evaluation())
    verdicts.extend(history_bench.history_section())
    verdicts.extend(load_bench.load_section())
    verdicts.extend(queue_bench.queue_section())
    verdicts.extend(statistics_bench.statistics_section())
    verdicts.extend(redaction_bench.redaction_section())
    verdicts.extend(protocol_bench.protocol_section())
    verdicts.extend(originals_bench.originals_section())
    verdicts.extend(table_bench.table_section())
    verdicts.extend(document_bench.document_section())
    summary(verdicts)
    print(f"(whole benchmark: {time.perf_counter() - start:.0f} s)")
    return 1 if any(verdict.passed is False for verdict in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
