"""Every page test writes its history to a file of its own, never to the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def history_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$VISION_HISTORY_PATH pointed at this test's temporary folder (tests may repoint it)."""
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("VISION_HISTORY_PATH", str(path))
    return path
