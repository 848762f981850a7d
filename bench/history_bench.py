"""The History page with 10,000 runs in the store, against the same page with none."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.sections import Verdict, ms, table
from vision.echo import EchoServer
from vision.history.store import HistoryStore
from vision.values.result import Usage
from vision.values.run import Run, RunImage

ROOT = Path(__file__).resolve().parents[1]
RUNS = 10_000
TARGET_S = 1.0
REPEAT = 5


def _fill(path: Path, count: int) -> None:
    with HistoryStore(path) as store:
        for index in range(count):
            store.save_run(
                Run(
                    prompt=f"What is on receipt {index}?",
                    model=("Qwen/Qwen2-VL-7B-Instruct", "meta-llama/Llama-3.2-90B-Vision-Instruct")[
                        index % 2
                    ],
                    answer=f"The total is {index % 97}.{index % 100:02d} EUR.",
                    usage=Usage(prompt_tokens=1200, completion_tokens=9, total_tokens=1209),
                    conversation_id=f"c{index // 2}",
                    images=(RunImage(sha256=f"{index:064x}", name=f"receipt-{index}.jpg"),),
                )
            )


def _page_times(path: Path, echo: EchoServer) -> list[float]:
    """Seconds per run of the History page (after a first one that warms the caches)."""
    os.environ["VISION_HISTORY_PATH"] = str(path)
    os.environ["IOINTELLIGENCE_BASE_URL"] = echo.base_url
    os.environ["IOINTELLIGENCE_API_KEY"] = echo.api_key
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("ui/pages/history.py").run()
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    assert not at.exception, at.exception
    return times


def history_section() -> list[Verdict]:
    """Median page run with an empty store and with 10,000 runs."""
    with (
        tempfile.TemporaryDirectory(prefix="vision-history-bench-") as folder,
        EchoServer() as echo,
    ):
        empty, full = Path(folder) / "empty.sqlite3", Path(folder) / "full.sqlite3"
        HistoryStore(empty).close()
        filled = time.perf_counter()
        _fill(full, RUNS)
        fill_s = time.perf_counter() - filled
        quiet = statistics.median(_page_times(empty, echo))
        busy = statistics.median(_page_times(full, echo))
    table(
        "7. History page (bench/history_bench.py)",
        ("store", "median page run ms"),
        [("no runs", ms(quiet)), (f"{RUNS:,} runs", ms(busy))],
    )
    print(f"(saving {RUNS:,} runs one by one took {fill_s:.1f} s)")
    return [
        Verdict(
            target=f"History page with {RUNS:,} runs under {TARGET_S:.0f} s",
            measured=f"{busy:.3f} s ({busy / quiet:.2f}× the page with no runs)",
            passed=busy < TARGET_S,
        )
    ]


if __name__ == "__main__":
    for verdict in history_section():
        print(verdict)
