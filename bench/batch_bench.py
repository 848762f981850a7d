"""Batch speed: 20 images × 2 models, 0.5 s per answer, concurrency 4 (ideal 5 s, target 6 s).

Run: .venv/bin/python -m bench.batch_bench
"""

from __future__ import annotations

import sys
import time

from tests.support.images import make_photo
from vision.api.client import VisionClient
from vision.batch.running.ask import ask_batch
from vision.echo import ECHO_MODELS, EchoServer
from vision.values.batch import BatchItem, BatchSettings

IMAGES = 20
MODELS = (ECHO_MODELS[1], ECHO_MODELS[0])
ANSWER_DELAY_S = 0.5
CONCURRENCY = 4
SERIAL_SAMPLE_JOBS = 2
TARGET_S = 6.0
API_KEY = "bench-key"


def main() -> int:
    items = [
        BatchItem(image=make_photo((1024 + i, 768)), prompt="What is in this image?", name=f"{i}")
        for i in range(IMAGES)
    ]
    jobs = IMAGES * len(MODELS)
    ideal_s = jobs * ANSWER_DELAY_S / CONCURRENCY
    with (
        EchoServer(api_key=API_KEY, ttft_s=ANSWER_DELAY_S) as echo,
        VisionClient(echo.base_url, API_KEY) as client,
    ):
        start = time.perf_counter()
        report = ask_batch(client, items, MODELS, settings=BatchSettings(concurrency=CONCURRENCY))
        wall_s = time.perf_counter() - start

        start = time.perf_counter()
        serial = BatchSettings(concurrency=1)
        sample = ask_batch(client, items[:SERIAL_SAMPLE_JOBS], MODELS[:1], settings=serial)
        serial_job_s = (time.perf_counter() - start) / SERIAL_SAMPLE_JOBS
    serial_s = serial_job_s * jobs
    failed = len(report.failed) + len(sample.failed)
    print(f"batch: {IMAGES} images × {len(MODELS)} models = {jobs} jobs, concurrency {CONCURRENCY}")
    print(f"answer delay {ANSWER_DELAY_S:.2f} s, failed jobs {failed}")
    print(f"wall time        {wall_s:6.2f} s")
    print(f"ideal            {ideal_s:6.2f} s   wall/ideal  {wall_s / ideal_s:5.2f}×")
    print(
        f"serial (est.)    {serial_s:6.2f} s   serial/wall {serial_s / wall_s:5.2f}×"
        f"   ({SERIAL_SAMPLE_JOBS} serial jobs at {serial_job_s:.3f} s each)"
    )
    verdict = "PASS" if wall_s <= TARGET_S and failed == 0 else "FAIL"
    print(f"target ≤ {TARGET_S:.1f} s: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
