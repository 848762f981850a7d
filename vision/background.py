"""A function run on a daemon thread, whose outcome (a value, a VisionError, or a crash) is
handed to the thread that asks for it: a bug in the background is raised where it is seen."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from vision.errors import VisionError

T = TypeVar("T")


class BackgroundTask(Generic[T]):
    """Run `target` once on a daemon thread; `outcome` re-raises anything but a VisionError."""

    def __init__(self, target: Callable[[], T], *, name: str) -> None:
        self._target = target
        self._value: T | None = None
        self._error: VisionError | None = None
        self._crash: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self._value = self._target()
        except VisionError as err:
            self._error = err
        except BaseException as err:  # a bug: kept for the caller's thread, which re-raises it
            self._crash = err
        finally:
            self._done.set()

    def start(self) -> BackgroundTask[T]:
        """Begin; returns self."""
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Block up to timeout seconds (None: until done); True once the task has ended."""
        return self._done.wait(timeout)

    @property
    def running(self) -> bool:
        """True until the task has ended (from its creation on)."""
        return not self._done.is_set()

    @property
    def error(self) -> VisionError | None:
        """The VisionError the task ended with, if any; re-raises a crash."""
        self._raise_crash()
        return self._error

    @property
    def value(self) -> T | None:
        """What the task returned (None until it has, or if it failed); re-raises a crash."""
        self._raise_crash()
        return self._value

    def _raise_crash(self) -> None:
        if self._crash is not None:
            raise self._crash
