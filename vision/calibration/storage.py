"""Measurements in one JSON file beside the history, shared by the app and the command line."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vision.calibration.measurements import Measurement, trimmed
from vision.errors import CalibrationError

CALIBRATION_PATH_ENV = "VISION_CALIBRATION_PATH"
CALIBRATION_FILE = "calibration.json"
FORMAT_VERSION = 1
# With many people at once answers arrive several a second, and each write is the whole file:
# a measurement arriving within this long of the last write waits and goes with the next one
# (one lost to a crash sharpens no estimate and costs no answer).
WRITE_INTERVAL_S = 2.0

# The history's own variable and folder (vision.history: $VISION_HISTORY_PATH, else the XDG data
# folder's vision-playground/), repeated here so that reading calibrations loads no database code.
_HISTORY_PATH_ENV = "VISION_HISTORY_PATH"
_APP_FOLDER = "vision-playground"


def default_calibration_path(environ: Mapping[str, str] | None = None) -> Path:
    """$VISION_CALIBRATION_PATH, else calibration.json in the history file's folder."""
    env = os.environ if environ is None else environ
    if env.get(CALIBRATION_PATH_ENV):
        return Path(env[CALIBRATION_PATH_ENV]).expanduser()
    if env.get(_HISTORY_PATH_ENV):
        return Path(env[_HISTORY_PATH_ENV]).expanduser().parent / CALIBRATION_FILE
    data_home = env.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(data_home) / _APP_FOLDER / CALIBRATION_FILE


def _unreadable(path: Path) -> CalibrationError:
    return CalibrationError(
        f"The calibration file {path} cannot be read; delete it (measurements are kept there "
        f"only to sharpen estimates) or point {CALIBRATION_PATH_ENV} elsewhere."
    )


def _parse(path: Path, text: str) -> dict[str, tuple[Measurement, ...]]:
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise _unreadable(path) from exc
    models = body.get("models") if isinstance(body, dict) else None
    if not isinstance(models, dict):
        raise _unreadable(path)
    parsed: dict[str, tuple[Measurement, ...]] = {}
    for model, records in models.items():
        kept = []
        for record in records if isinstance(records, list) else []:
            try:
                kept.append(Measurement.from_json(record))
            except CalibrationError:
                continue  # one damaged record costs one measurement, not the file
        parsed[str(model)] = tuple(kept)
    return parsed


class JsonMeasurements:
    """A MeasurementStore in one JSON file, re-read when another process changed it; writes
    come at most every WRITE_INTERVAL_S, what arrived meanwhile together."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._by_model: dict[str, tuple[Measurement, ...]] = {}  # as the file holds them
        self._pending: list[tuple[str, Measurement]] = []  # recorded here, not yet written
        self._written_at = float("-inf")
        self._timer: threading.Timer | None = None
        self._failure: CalibrationError | None = None
        atexit.register(self._flush_at_exit)

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _unreadable(self.path) from exc
        return stat.st_mtime_ns, stat.st_size

    def _refresh(self) -> None:
        stamp = self._stamp()
        if stamp == self._seen:
            return
        if stamp is None:
            self._by_model = {}
        else:
            try:
                text = self.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise _unreadable(self.path) from exc
            self._by_model = _parse(self.path, text)
        self._seen = stamp

    def _merged(self, model: str) -> tuple[Measurement, ...]:
        waiting = [item for name, item in self._pending if name == model]
        kept = self._by_model.get(model, ())
        return tuple(trimmed((*kept, *waiting))) if waiting else kept

    def measurements(self, model: str) -> tuple[Measurement, ...]:
        """Every kept measurement of this model, oldest first."""
        with self._lock:
            self._refresh()
            return self._merged(model)

    def record(self, model: str, measurement: Measurement) -> None:
        """Keep one more measurement of this model (merged with what other processes wrote);
        raises CalibrationError when the file cannot be written."""
        with self._lock:
            failure, self._failure = self._failure, None
            if failure is not None:
                raise failure
            self._pending.append((model, measurement))
            if time.monotonic() - self._written_at >= WRITE_INTERVAL_S:
                self._write_pending()
            elif self._timer is None:
                self._timer = threading.Timer(WRITE_INTERVAL_S, self._flush_later)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Write any measurements still waiting (the process calls it on exit too)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._pending:
                self._write_pending()

    def _flush_at_exit(self) -> None:
        with contextlib.suppress(CalibrationError):  # nobody is left to tell
            self.flush()

    def _flush_later(self) -> None:
        with self._lock:
            self._timer = None
            try:
                if self._pending:
                    self._write_pending()
            except CalibrationError as error:
                self._failure = error  # said by the next record()

    def _write_pending(self) -> None:
        self._refresh()
        for model in dict.fromkeys(name for name, _ in self._pending):
            self._by_model[model] = self._merged(model)
        self._pending.clear()
        self._written_at = time.monotonic()
        self._write()

    def _write(self) -> None:
        body: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "models": {
                model: [item.as_json() for item in records]
                for model, records in sorted(self._by_model.items())
            },
        }
        temporary: Path | None = None
        try:
            # The history's folder by default, which holds prompts and images: the owner's alone.
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, name = tempfile.mkstemp(
                prefix=".calibration-", suffix=".json", dir=self.path.parent
            )
            temporary = Path(name)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(body, file, indent=1)
            # Readers see the old file or the new one, never half of one.
            temporary.replace(self.path)
            temporary = None
        except OSError as exc:
            raise CalibrationError(
                f"The calibration file {self.path} cannot be written ({exc.strerror or exc}); "
                f"free some space or point {CALIBRATION_PATH_ENV} at a writable file."
            ) from exc
        finally:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
        self._seen = self._stamp()
