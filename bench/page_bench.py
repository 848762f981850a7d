"""A rerun of the page with ten prepared images and nothing new to do: time spent in our code.

Run alone: .venv/bin/python -m bench.page_bench
The page runs under Streamlit's AppTest against an in-process echo backend. AppTest executes
the script in its own thread, so the profiler is switched on inside that thread.
"""

from __future__ import annotations

import cProfile
import logging
import os
import pstats
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.sections import Verdict, ms, table
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "streamlit_app.py"
OUR_CODE = (str(REPO / "vision") + os.sep, str(REPO / "ui") + os.sep, str(APP))
STREAMLIT = os.sep + "streamlit" + os.sep
ELEMENTS = STREAMLIT + "elements" + os.sep
API_KEY = "bench-key"
RERUNS = 5
TARGET_S = 0.100
TIMEOUT_S = 180
UPLOAD_MIMES = {".png": "image/png", ".webp": "image/webp", ".jpg": "image/jpeg"}

PROFILES: list[cProfile.Profile] = []


@contextmanager
def _profiling_script_runs() -> Iterator[None]:
    """Profile every script run that starts inside this block, in the script thread itself.

    cProfile sees only the thread that enables it, and AppTest runs the page in a thread of
    its own; so Streamlit's exec_func_with_error_handling (an internal name, stable since
    1.30) is wrapped for the duration.
    """
    from streamlit.runtime.scriptrunner import script_runner

    runner: Any = script_runner  # the name is imported there, not exported
    original = runner.exec_func_with_error_handling

    def profiled_exec(func: Callable[[], Any], ctx: Any) -> Any:
        profiler = cProfile.Profile()

        def profiled() -> Any:
            profiler.enable()
            try:
                return func()
            finally:
                profiler.disable()
                PROFILES.append(profiler)

        return original(profiled, ctx)

    runner.exec_func_with_error_handling = profiled_exec
    try:
        yield
    finally:
        runner.exec_func_with_error_handling = original


def _ours(filename: str) -> bool:
    return filename.startswith(OUR_CODE)


def _attribute(profiler: cProfile.Profile) -> dict[str, Any]:
    """Seconds in the script thread: everything, our own lines, and ours plus what ours calls.

    "Ours plus callees" adds the time of non-Streamlit functions (hashlib, Pillow, builtins,
    dataclass code) called directly from our functions; Streamlit's own work is excluded.
    """
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = 0.0
    own = 0.0
    callees = 0.0
    by_function: dict[str, float] = {}
    streamlit_calls: dict[str, float] = {}
    for (filename, line, name), (_, _, tottime, cumtime, callers) in stats.items():
        total += tottime
        if ELEMENTS in filename:  # st.image, st.columns, st.button...: what our calls cost
            streamlit_calls[f"{Path(filename).name}:{line}({name})"] = cumtime
        if _ours(filename):
            own += tottime
            label = f"{Path(filename).relative_to(REPO)}:{line}({name})"
            by_function[label] = cumtime
        else:
            from_ours = sum(timing[3] for caller, timing in callers.items() if _ours(caller[0]))
            if not from_ours:
                continue
            label = f"{Path(filename).name}:{line}({name})" if filename != "~" else name
            if STREAMLIT not in filename:
                callees += from_ours
                by_function[f"  called from ours: {label}"] = from_ours
    return {
        "total": total,
        "own": own,
        "ours": own + callees,
        "functions": by_function,
        "streamlit": streamlit_calls,
    }


@contextmanager
def _environment(base_url: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in (BASE_URL_VARIABLE, API_KEY_VARIABLE)}
    os.environ[BASE_URL_VARIABLE] = base_url
    os.environ[API_KEY_VARIABLE] = API_KEY
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def uploads(paths: Sequence[Path]) -> list[tuple[str, bytes, str]]:
    """The files as the page's uploader receives them: name, bytes and MIME type."""
    return [(path.name, path.read_bytes(), UPLOAD_MIMES[path.suffix]) for path in paths]


def _timed_run(at: Any) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page raised: {[item.value for item in at.exception]}")
    return elapsed


def page_section(files: list[tuple[str, bytes, str]]) -> list[Verdict]:
    """Section 4: ten prepared images on the page, then reruns with nothing new to do."""
    from streamlit.testing.v1 import AppTest

    # AppTest drives widgets from this thread, which Streamlit warns about once per widget.
    for name in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).setLevel(logging.ERROR)

    from vision.echo import EchoServer

    with EchoServer(api_key=API_KEY) as echo, _environment(echo.base_url):
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
        at.secrets["app"] = {"note": "no key here"}  # a developer's secrets.toml stays out
        first_s = _timed_run(at)
        at.file_uploader(key="images").set_value(files)
        upload_s = _timed_run(at)
        cards = len(at.session_state["_prepared"]) if "_prepared" in at.session_state else 0
        plain = [_timed_run(at) for _ in range(RERUNS)]
        PROFILES.clear()
        with _profiling_script_runs():
            profiled = [_timed_run(at) for _ in range(RERUNS)]
        shares = [_attribute(profiler) for profiler in PROFILES]

    def median(key: str) -> float:
        return float(statistics.median(share[key] for share in shares))

    ours_s = median("ours")
    rerun_s = statistics.median(plain)
    table(
        f"4a. The page with {len(files)} images: first runs, then {RERUNS} reruns with nothing new "
        "(medians)",
        ("run", "ms", "share of profiled rerun"),
        [
            ("page opened, no images", ms(first_s), ""),
            (
                f"{len(files)} images uploaded: {cards} (image, model) preparations",
                ms(upload_s),
                "",
            ),
            ("rerun, nothing new (AppTest wall time)", ms(rerun_s), ""),
            ("rerun under cProfile (AppTest wall time)", ms(statistics.median(profiled)), "100%"),
            ("  script thread, all code", ms(median("total")), _share(median("total"), profiled)),
            (
                "  our own lines (vision/, ui/, streamlit_app.py)",
                ms(median("own")),
                _share(median("own"), profiled),
            ),
            ("  ours + non-Streamlit code it calls directly", ms(ours_s), _share(ours_s, profiled)),
        ],
    )
    _top_table(
        shares,
        "functions",
        "4b. Our functions by cumulative time (ms per profiled rerun, median; this includes "
        "the Streamlit calls they make)",
    )
    _top_table(
        shares,
        "streamlit",
        "4c. Streamlit element functions by cumulative time (ms per profiled rerun; not ours)",
    )
    return [
        Verdict(
            target=f"rerun, {len(files)} prepared images: < {TARGET_S * 1000:.0f} ms in our code",
            measured=f"{ours_s * 1000:.1f} ms of a {rerun_s * 1000:.0f} ms rerun",
            passed=ours_s < TARGET_S,
        )
    ]


def _top_table(shares: list[dict[str, Any]], key: str, title: str, rows: int = 8) -> None:
    collected: dict[str, list[float]] = {}
    for share in shares:
        for label, seconds in share[key].items():
            collected.setdefault(label, []).append(seconds)
    top = sorted(collected.items(), key=lambda item: -statistics.median(item[1]))[:rows]
    table(
        title, ("function", "ms"), [(label, ms(statistics.median(values))) for label, values in top]
    )


def _share(seconds: float, profiled: list[float]) -> str:
    return f"{seconds / statistics.median(profiled):.0%}"


def main() -> list[Verdict]:
    """Section 4 on the same ten maximum-size images as the intake benchmark."""
    import tempfile

    from bench.intake_bench import write_max_set

    with tempfile.TemporaryDirectory(prefix="vision-bench-") as folder:
        files = uploads(write_max_set(Path(folder)))
    return page_section(files)


if __name__ == "__main__":
    main()
