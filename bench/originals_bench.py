"""Where kept originals live: the history's size per 1,000 evaluated photos and the time to
reopen a run, with the originals in the database's rows (the layout before blob stores, kept
as VISION_BLOB_URL=database) against a blob store beside the file, and against naming the
evaluated files without copying them (`vision eval`'s default); and the move of the old layout
out of the database, all in the same run.

Run: .venv/bin/python -m bench.originals_bench
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.photos import PHONE_PHOTO, photo_jpeg
from bench.sections import Verdict, table
from vision.echo import ECHO_MODELS, EchoServer
from vision.history.replay import reopen
from vision.history.store import HistoryStore

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-key"
MODELS = (ECHO_MODELS[1], ECHO_MODELS[0])
# Distinct 12 MP photos, scaled to 1,000 (sizes grow linearly with the photos kept).
PHOTOS, DISTINCT, PER = 60, 6, 1000
REOPENED, ROUNDS = 10, 5
# Targets: the database keeps at most this share of the old layout's bytes, and reopening a run
# from the blob store takes at most this many times reading it from the database.
DATABASE_SHARE, REOPEN_RATIO = 0.02, 1.5


@dataclass(frozen=True, slots=True)
class Layout:
    """One way of keeping the originals, as `vision eval` is told to."""

    label: str
    blob_url: str
    flags: tuple[str, ...]


LAYOUTS = (
    Layout("before: bytes in the database (the layout before)", "database", ("--keep-originals",)),
    Layout("after: copies in the folder beside the file", "", ("--keep-originals",)),
    Layout("after: files named, not copied (eval's default)", "", ()),
)


def _photos(folder: Path) -> Path:
    """PHOTOS different 12 MP JPEGs: DISTINCT scenes, each written with different bytes after
    its end-of-image marker (decoders stop there), so every file has a hash of its own."""
    folder.mkdir()
    scenes = [photo_jpeg(PHONE_PHOTO, seed=seed) for seed in range(DISTINCT)]
    for index in range(PHOTOS):
        data = scenes[index % DISTINCT] + f"photo {index}".encode()
        (folder / f"photo-{index:03}.jpg").write_bytes(data)
    return folder


def _bytes_under(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def _database_bytes(history: Path) -> int:
    return sum(
        part.stat().st_size
        for part in (history, history.with_name(history.name + "-wal"))
        if part.exists()
    )


def _eval(folder: Path, history: Path, layout: Layout, base_url: str) -> float:
    env = {
        **os.environ,
        "IOINTELLIGENCE_API_KEY": API_KEY,
        "IOINTELLIGENCE_BASE_URL": base_url,
        "VISION_BLOB_URL": layout.blob_url,
    }
    command = [
        *(sys.executable, "-m", "vision", "eval", "--images", str(folder), "--history"),
        *(str(history), "-m", MODELS[0], "-m", MODELS[1], "--concurrency", "8", *layout.flags),
    ]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _reopen_ms(histories: list[tuple[Path, str]]) -> list[float]:
    """The median time to reopen one of each history's runs (its images read back), in ms; the
    histories take turns, so a machine that gets busier slows them alike."""
    stores, runs = [], []
    for history, blob_url in histories:
        os.environ["VISION_BLOB_URL"] = blob_url
        try:
            store = HistoryStore(history, move_originals=False)
        finally:
            del os.environ["VISION_BLOB_URL"]
        (batch_id,) = store.batch_ids()
        stores.append(store)
        runs.append(store.batch_runs(batch_id)[:REOPENED])
    times: list[list[float]] = [[] for _ in stores]
    for _ in range(ROUNDS):
        for number, store in enumerate(stores):
            for run in runs[number]:
                start = time.perf_counter()
                found = reopen(store, run)
                times[number].append(time.perf_counter() - start)
                assert len(found.images) == 1, found.notes
    for store in stores:
        store.close()
    return [statistics.median(taken) * 1000 for taken in times]


def _move(old: Path, root: Path) -> tuple[float, int]:
    """Seconds to move a copy of the old layout's originals out when it opens, and the bytes."""
    moved = root / "moved.sqlite3"
    shutil.copy(old, moved)
    start = time.perf_counter()
    HistoryStore(moved).close()
    return time.perf_counter() - start, _bytes_under(moved.with_name(moved.name + "-blobs"))


def originals_section() -> list[Verdict]:
    """Section 14: the history's size per 1,000 photos and a run's reopening, before and after."""
    print("\n### 14. Kept originals: the database against a blob store (bench/originals_bench.py)")
    with tempfile.TemporaryDirectory(prefix="vision-originals-bench-") as folder:
        root = Path(folder)
        photos = _photos(root / "photos")
        scale = PER / PHOTOS
        histories = [root / f"history-{number}.sqlite3" for number in range(len(LAYOUTS))]
        with EchoServer(api_key=API_KEY) as echo:
            seconds = [
                _eval(photos, history, layout, echo.base_url)
                for history, layout in zip(histories, LAYOUTS, strict=True)
            ]
        sizes = [
            (_database_bytes(history), _bytes_under(history.with_name(history.name + "-blobs")))
            for history in histories
        ]
        reopened = _reopen_ms(
            [(history, layout.blob_url) for history, layout in zip(histories, LAYOUTS, strict=True)]
        )
        rows = [
            (
                layout.label,
                f"{database * scale / 1e6:,.1f}",
                f"{blobs * scale / 1e6:,.1f}",
                f"{(database + blobs) * scale / 1e6:,.1f}",
                f"{took:.1f}",
                f"{took / reopened[0]:.2f}×",
                f"{took_s:.1f}",
            )
            for layout, (database, blobs), took, took_s in zip(
                LAYOUTS, sizes, reopened, seconds, strict=True
            )
        ]
        moving_s, moved = _move(root / "history-0.sqlite3", root)
    table(
        f"14a. History size per {PER:,} evaluated 12 MP photos ({PHOTOS} evaluated × "
        f"{len(MODELS)} models, scaled), and reopening one of their runs",
        ("layout", "database MB", "blob MB", "total MB", "reopen ms", "vs before", "eval s"),
        rows,
    )
    print(
        f"Moving the old layout's {moved / 1e6:,.0f} MB of originals out when it opened took "
        f"{moving_s:.1f} s ({moved / 1e6 / moving_s:,.0f} MB/s, file vacuumed).\n"
    )
    before, after = sizes[0][0], sizes[1][0]
    ratio = reopened[1] / reopened[0]
    return [
        Verdict(
            target=f"the database per {PER:,} photos: ≤ {DATABASE_SHARE:.0%} of the old layout's",
            measured=f"{after * scale / 1e6:,.1f} MB vs {before * scale / 1e6:,.0f} MB "
            f"({after / before:.2%})",
            passed=after <= before * DATABASE_SHARE,
        ),
        Verdict(
            target=f"reopening a run from the blob store: ≤ {REOPEN_RATIO}× from the database",
            measured=f"{reopened[1]:.1f} ms vs {reopened[0]:.1f} ms ({ratio:.2f}×); "
            f"a named file {reopened[2]:.1f} ms",
            passed=ratio <= REOPEN_RATIO,
        ),
    ]


if __name__ == "__main__":
    verdicts = originals_section()
    sys.exit(1 if any(verdict.passed is False for verdict in verdicts) else 0)
