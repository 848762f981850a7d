"""Section 16: a 12-page PDF prepared for both models, each page drawn straight at the size the
model uses, against drawing every page at its full 200-dpi size and shrinking it (what a
pipeline that renders pages to images first does); time and peak memory in fresh processes, and
how quickly the bombs are refused."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from typing import Any

from bench.intake_bench import MODELS, REPO, _peak_rss_mb
from bench.sections import Verdict, table
from tests.support.documents import Page, pdf_bytes, text_page

PAGES = 12
# Targets: drawing at the model's size takes at most half the time and half the peak memory of
# drawing at full size and shrinking.
TIME_TARGET = 0.5
MEMORY_TARGET = 0.5


def report_pdf() -> bytes:
    """Twelve letter pages: dense text, with every third page a drawing that fills it."""
    pages = [
        Page(box=True, lines=text_page(number, 50).lines)
        if number % 3 == 0
        else text_page(number, 50)
        for number in range(1, PAGES + 1)
    ]
    return pdf_bytes(pages)


def _large_then_shrunk(data: bytes, index: int, model: str) -> None:
    """The baseline: the page drawn at 200 dpi as a PNG, then prepared like any upload."""
    import pypdfium2 as pdfium

    from vision.images.intake import prepare_image

    document = pdfium.PdfDocument(data)
    page = document[index]
    bitmap = page.render(scale=200 / 72)
    buffer = io.BytesIO()
    bitmap.to_pil().save(buffer, "PNG", compress_level=1)
    bitmap.close()
    page.close()
    document.close()
    prepare_image(buffer.getvalue(), filename=f"page-{index + 1}.png", model=model)


def _at_model_size(data: bytes, index: int, model: str) -> None:
    from vision.images.intake import prepare_image
    from vision.values.image import SourcePart

    prepare_image(
        data, filename="report.pdf", model=model, parts=(SourcePart(kind="pdf", index=index),)
    )


def worker(way: str) -> dict[str, Any]:
    """Prepare every page for both models one way, in this fresh process; time and memory."""
    import pypdfium2  # noqa: F401  # imported before the baseline, as both ways need it

    from vision.images.intake import prepare_image  # noqa: F401

    data = report_pdf()
    prepare = _at_model_size if way == "ours" else _large_then_shrunk
    # The baseline is taken after the imports and before any page: drawing the first page
    # loads PDFium's fonts either way, and the peak of the largest page is what is compared.
    baseline = _peak_rss_mb()
    start = time.perf_counter()
    for index in range(PAGES):
        for model in MODELS:
            prepare(data, index, model)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": _peak_rss_mb() - baseline,
    }


def _run(way: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.document_bench", "--worker", way],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _refusal_ms(data: bytes) -> float:
    from vision.errors import ImageError
    from vision.images.intake import prepare_image
    from vision.values.image import SourcePart

    start = time.perf_counter()
    try:
        prepare_image(data, model=MODELS[0], parts=(SourcePart(kind="pdf", index=1),))
    except ImageError:
        return (time.perf_counter() - start) * 1000
    raise AssertionError("the bomb was not refused")


def document_section() -> list[Verdict]:
    """Section 16: render time and peak memory against drawing large and shrinking."""
    print("\n### 16. A 12-page PDF at each model's size (bench/document_bench.py)\n")
    ours, large = _run("ours"), _run("large")
    # A second pair, interleaved, so a busy moment on the machine does not land on one way only.
    ours_again, large_again = _run("ours"), _run("large")
    ours_s = min(ours["seconds"], ours_again["seconds"])
    large_s = min(large["seconds"], large_again["seconds"])
    ours_mb = min(ours["peak_mb"], ours_again["peak_mb"])
    large_mb = min(large["peak_mb"], large_again["peak_mb"])
    time_ratio, memory_ratio = ours_s / large_s, ours_mb / max(large_mb, 0.1)
    jobs = PAGES * len(MODELS)
    table(
        f"16a. {PAGES} pages × {len(MODELS)} models ({jobs} preparations), fresh processes",
        ("way", "total", "ms per page", "peak MB above baseline"),
        [
            (
                "drawn at the model's size",
                f"{ours_s:.2f} s",
                f"{ours_s * 1000 / jobs:.1f}",
                f"{ours_mb:.0f}",
            ),
            (
                "drawn at 200 dpi, then shrunk",
                f"{large_s:.2f} s",
                f"{large_s * 1000 / jobs:.1f}",
                f"{large_mb:.0f}",
            ),
            ("ratio", f"{time_ratio:.2f}×", "", f"{memory_ratio:.2f}×"),
        ],
    )
    pages = pdf_bytes([Page()] * 5000)
    huge = pdf_bytes([text_page(1), Page(size=(100_000, 100_000))])
    table(
        "16b. Bombs refused before anything is drawn",
        ("file", "refused in ms"),
        [
            ("5,000 pages", f"{_refusal_ms(pages):.1f}"),
            ("a page of 100,000 × 100,000 points", f"{_refusal_ms(huge):.1f}"),
        ],
    )
    return [
        Verdict(
            target=f"a 12-page PDF drawn at the model's size: ≤ {TIME_TARGET}× the time of "
            "drawing at 200 dpi and shrinking",
            measured=f"{ours_s:.2f} s vs {large_s:.2f} s: {time_ratio:.2f}×",
            passed=time_ratio <= TIME_TARGET,
        ),
        Verdict(
            target=f"… and ≤ {MEMORY_TARGET}× its peak memory",
            measured=f"{ours_mb:.0f} MB vs {large_mb:.0f} MB: {memory_ratio:.2f}×",
            passed=memory_ratio <= MEMORY_TARGET,
        ),
    ]


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2])))
    else:
        document_section()
