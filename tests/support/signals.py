"""Markers for tests that kill processes."""

from __future__ import annotations

import signal

import pytest

# Windows has no SIGKILL, and these tests must kill a process with no chance to clean up.
needs_sigkill = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"),
    reason="kills a process with SIGKILL mid-batch; Windows has no SIGKILL",
)
