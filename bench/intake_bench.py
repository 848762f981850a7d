"""Intake figures: speed against a naive pipeline, peak memory, sent against raw files.

Run alone: .venv/bin/python -m bench.intake_bench
The memory figures come from a fresh subprocess (`--worker DIR`) that only prepares images.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from PIL import Image

from bench.photos import PHONE_PHOTO, noisy_png, photo_jpeg, photo_webp
from bench.sections import Verdict, mb, medians, ms, table

QWEN = "Qwen/Qwen2-VL-7B-Instruct"
LLAMA = "meta-llama/Llama-3.2-90B-Vision-Instruct"
MODELS = (LLAMA, QWEN)
# One model per other family the service lists (docs/geometry.md), for the payload table only:
# sections 1 and 2 stay on the two documented models, so their figures compare across runs.
FAMILY_MODELS = (
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
    "Qwen/Qwen2.5-VL-32B-Instruct",
    "Qwen/Qwen3.6-27B",
    "zai-org/GLM-4.5V",
    "zai-org/GLM-5.3-Flash",
    "moonshotai/Kimi-K2.5",
)

SPEED_REPEAT = 9
NAIVE_QUALITY = 90
SPEED_TARGET = 0.4  # prepared / naive
MEMORY_TARGET_MB = 500
TOKEN_TARGET = 10.0  # raw / sent, 12 MP photo on Qwen2-VL
REPO = Path(__file__).resolve().parents[1]


def write_max_set(directory: Path) -> list[Path]:
    """Ten maximum-size images: a 4096² PNG near 20 MB, a large WEBP and eight 12 MP JPEGs."""
    files: dict[str, bytes] = {
        "big.png": noisy_png(seed=0),
        "big.webp": photo_webp(seed=1),
        "portrait-exif6.jpg": photo_jpeg(seed=2, orientation=6),
    }
    for seed in range(3, 10):
        files[f"photo-{seed}.jpg"] = photo_jpeg(seed=seed)
    paths = []
    for name, data in files.items():
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def naive_prepare(data: bytes, size: tuple[int, int]) -> bytes:
    """What a first attempt does: full decode, LANCZOS resize, JPEG quality 90."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        resized = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    resized.save(buffer, "JPEG", quality=NAIVE_QUALITY)
    return buffer.getvalue()


def speed_section(photo: bytes) -> list[Verdict]:
    """Section 1: one 12 MP JPEG for Qwen2-VL at the default budget, as a ratio to naive."""
    from vision import prepare_image

    prepared = prepare_image(photo, model=QWEN)
    size = (prepared.width, prepared.height)
    naive = naive_prepare(photo, size)
    times = medians(
        {
            "naive": lambda: naive_prepare(photo, size),
            "prepare_image": lambda: prepare_image(photo, model=QWEN),
        },
        repeat=SPEED_REPEAT,
    )
    ratio = times["prepare_image"] / times["naive"]
    rows = [
        (
            "naive: full decode, LANCZOS, JPEG q90",
            ms(times["naive"]),
            f"{size[0]}×{size[1]}",
            mb(len(naive)),
            "1.00×",
        ),
        (
            f"vision.prepare_image(model={QWEN.split('/')[1]})",
            ms(times["prepare_image"]),
            f"{prepared.width}×{prepared.height}",
            mb(prepared.size_bytes),
            f"{ratio:.2f}×",
        ),
    ]
    table(
        f"1. One 12 MP photo ({PHONE_PHOTO[0]}×{PHONE_PHOTO[1]} JPEG q92, {mb(len(photo))} MB) "
        f"for Qwen2-VL, median of {SPEED_REPEAT}",
        ("pipeline", "ms", "sent size", "MB", "vs naive"),
        rows,
    )
    _where_time_goes(photo)
    return [
        Verdict(
            target=f"12 MP JPEG for Qwen2-VL ≤ {SPEED_TARGET}× naive",
            measured=f"{ratio:.2f}×",
            passed=ratio <= SPEED_TARGET,
        )
    ]


# Pillow's C entry points, by the line of vision/images/intake.py or encode.py that calls them.
_STAGES = {
    "decode": ("JPEG decode at reduced scale (intake._reencode: load_pixels after draft)",),
    "resize": ("resize (intake._downscale: bilinear under 2×, else bicubic)",),
    "encode": ("JPEG encode (encode._save)",),
    "openssl_sha256": ("sha256 of source and sent bytes (intake.prepare_image)",),
}


def _where_time_goes(photo: bytes, calls: int = 5) -> None:
    """cProfile of prepare_image, split into Pillow's decode, resize, encode and the rest."""
    from vision import prepare_image

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        prepare_image(photo, model=QWEN)
    profiler.disable()
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in stats.values())
    rows = []
    accounted = 0.0
    for name, (label,) in _STAGES.items():
        seconds = sum(entry[2] for (_, _, function), entry in stats.items() if name in function)
        accounted += seconds
        rows.append((label, ms(seconds / calls), f"{seconds / total:.0%}"))
    rows.append(
        (
            "everything else (Python, header reads, EXIF)",
            ms((total - accounted) / calls),
            f"{(total - accounted) / total:.0%}",
        )
    )
    table(
        f"1b. Where prepare_image's time goes (cProfile, {calls} calls; ms per call)",
        ("stage", "ms", "share"),
        rows,
    )


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (Linux) in MB, or None elsewhere."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


def _peak_rss_mb() -> float:
    # ru_maxrss survives exec on Linux: a child started from this (large) benchmark process
    # reports the parent's peak. VmHWM is the high-water mark of the child's own memory map.
    return _status_mb("VmHWM") or _maxrss_mb()


def worker(directory: Path, *, trace: bool, models: tuple[str, ...] = MODELS) -> dict[str, Any]:
    """Prepare every file in directory for each model, one at a time; report time and memory."""
    from vision import prepare_image

    baseline_rss = _peak_rss_mb()
    baseline_maxrss = _maxrss_mb()
    if trace:
        tracemalloc.start()
    results = []
    seconds = dict.fromkeys(models, 0.0)
    for path in sorted(directory.iterdir()):
        data = path.read_bytes()
        for model in models:
            start = time.perf_counter()
            prepared = prepare_image(data, filename=path.name, model=model)
            seconds[model] += time.perf_counter() - start
            results.append(
                {
                    "name": path.name,
                    "model": model,
                    "format": prepared.original_format,
                    "raw_size": [prepared.original_width, prepared.original_height],
                    "raw_bytes": prepared.original_size_bytes,
                    "sent_size": [prepared.width, prepared.height],
                    "sent_bytes": prepared.size_bytes,
                    "sent_mime": prepared.mime,
                    "sent_tokens": prepared.estimated_tokens,
                }
            )
            del prepared
        del data
    traced_peak = tracemalloc.get_traced_memory()[1] / 1_000_000 if trace else None
    return {
        "baseline_rss_mb": baseline_rss,
        "peak_rss_mb": _peak_rss_mb(),
        "baseline_maxrss_mb": baseline_maxrss,
        "peak_maxrss_mb": _maxrss_mb(),
        "tracemalloc_peak_mb": traced_peak,
        "seconds": seconds,
        "results": results,
    }


def _run_worker(
    directory: Path, *, trace: bool, models: tuple[str, ...] = MODELS
) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.intake_bench", "--worker", str(directory)]
    command.extend(["--models", ",".join(models)])
    if trace:
        command.append("--trace")
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def memory_section(directory: Path) -> tuple[list[Verdict], list[dict[str, Any]]]:
    """Section 2: ten maximum-size images for both models in a fresh process."""
    plain = _run_worker(directory, trace=False)
    traced = _run_worker(directory, trace=True)
    files = sorted(directory.iterdir())
    total_bytes = sum(path.stat().st_size for path in files)
    peak = plain["peak_rss_mb"] - plain["baseline_rss_mb"]
    total_s = sum(plain["seconds"].values())
    rows: list[tuple[object, ...]] = [
        (
            model,
            f"{len(files)}",
            f"{plain['seconds'][model]:.2f} s",
            ms(plain["seconds"][model] / len(files)),
        )
        for model in MODELS
    ]
    rows.append(
        ("both models", f"{2 * len(files)}", f"{total_s:.2f} s", ms(total_s / (2 * len(files))))
    )
    kinds = ", ".join(sorted({f"{path.suffix[1:].upper()}" for path in files}))
    table(
        f"2a. Ten maximum-size images ({kinds}; {mb(total_bytes)} MB in all), one at a time",
        ("model", "images", "total time", "ms per image"),
        rows,
    )
    table(
        "2b. Peak memory of a fresh process preparing them (after imports)",
        ("figure", "MB"),
        [
            ("peak RSS after imports (baseline, VmHWM)", f"{plain['baseline_rss_mb']:.0f}"),
            ("peak RSS at the end (VmHWM)", f"{plain['peak_rss_mb']:.0f}"),
            ("peak RSS − baseline", f"{peak:.0f}"),
            (
                "ru_maxrss after imports / at the end (inherits the parent's peak)",
                f"{plain['baseline_maxrss_mb']:.0f} / {plain['peak_maxrss_mb']:.0f}",
            ),
            ("tracemalloc peak (Python allocations only)", f"{traced['tracemalloc_peak_mb']:.0f}"),
        ],
    )
    verdicts = [
        Verdict(
            target=f"peak memory for ten max-size images < {MEMORY_TARGET_MB} MB",
            measured=f"{peak:.0f} MB RSS above baseline",
            passed=peak < MEMORY_TARGET_MB,
        ),
        Verdict(
            target="ten max-size images × 2 models: total time (no target)",
            measured=f"{total_s:.2f} s",
            passed=None,
        ),
    ]
    return verdicts, plain["results"]


def _group(name: str) -> str:
    if name.endswith(".png"):
        return "4096×4096 PNG"
    if name.endswith(".webp"):
        return "4096×3072 WEBP"
    if "exif6" in name:
        return "12 MP JPEG, EXIF-rotated"
    return "12 MP JPEG"


def payload_section(results: list[dict[str, Any]]) -> list[Verdict]:
    """Section 3: bytes and estimated image tokens sent against the raw files, per model."""
    from vision.images.profiles import estimate_image_tokens, profile_for

    rows = []
    qwen_photo_ratio = None
    for model in (*MODELS, *FAMILY_MODELS):
        groups: dict[str, list[dict[str, Any]]] = {}
        for result in results:
            if result["model"] == model:
                groups.setdefault(_group(result["name"]), []).append(result)
        everything = [result for result in results if result["model"] == model]
        if not everything:
            continue
        family = f"{profile_for(model).family} ({profile_for(model).basis.label})"
        for label, members in [*sorted(groups.items()), ("all ten", everything)]:
            raw_bytes = sum(item["raw_bytes"] for item in members)
            sent_bytes = sum(item["sent_bytes"] for item in members)
            raw_tokens = sum(estimate_image_tokens(model, *item["raw_size"]) for item in members)
            sent_tokens = sum(item["sent_tokens"] for item in members)
            first = members[0]
            sent = (
                f"{first['sent_size'][0]}×{first['sent_size'][1]} {first['sent_mime'][6:]}"
                if label != "all ten"
                else ""
            )
            token_ratio = raw_tokens / sent_tokens
            if model == QWEN and label == "12 MP JPEG":
                qwen_photo_ratio = token_ratio
            rows.append(
                (
                    model.split("/")[1],
                    family,
                    f"{label} ×{len(members)}",
                    sent,
                    mb(raw_bytes),
                    mb(sent_bytes),
                    f"{raw_bytes / sent_bytes:.1f}×",
                    f"{raw_tokens:,}",
                    f"{sent_tokens:,}",
                    f"{token_ratio:.1f}×",
                )
            )
    table(
        "3. Sent against raw, per model (tokens: vision.images.profiles.estimate_image_tokens; "
        "raw = the file as uploaded, at the server's own resize)",
        (
            "model",
            "geometry",
            "images",
            "sent as",
            "raw MB",
            "sent MB",
            "bytes ÷",
            "raw tokens",
            "sent tokens",
            "tokens ÷",
        ),
        rows,
    )
    return [
        Verdict(
            target=f"12 MP photo on Qwen2-VL: ≥ {TOKEN_TARGET:.0f}× fewer tokens",
            measured="not measured" if qwen_photo_ratio is None else f"{qwen_photo_ratio:.1f}×",
            passed=None if qwen_photo_ratio is None else qwen_photo_ratio >= TOKEN_TARGET,
        )
    ]


def main() -> list[Verdict]:
    """Sections 1 to 3 on a freshly generated image set."""
    with tempfile.TemporaryDirectory(prefix="vision-bench-") as folder:
        directory = Path(folder)
        start = time.perf_counter()
        paths = write_max_set(directory)
        print(f"(generated {len(paths)} images in {time.perf_counter() - start:.1f} s)")
        verdicts = speed_section((directory / "photo-3.jpg").read_bytes())
        memory, results = memory_section(directory)
        verdicts.extend(memory)
        families = _run_worker(directory, trace=False, models=FAMILY_MODELS)["results"]
        verdicts.extend(payload_section(results + families))
    return verdicts


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--worker":
        chosen = MODELS
        if "--models" in sys.argv:
            chosen = tuple(sys.argv[sys.argv.index("--models") + 1].split(","))
        print(json.dumps(worker(Path(sys.argv[2]), trace="--trace" in sys.argv, models=chosen)))
    else:
        main()
