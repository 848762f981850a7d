"""The page's Streamlit settings keep the limits and protections the house rules ask for."""

from __future__ import annotations

import tomllib
from pathlib import Path

from vision.images.intake import MAX_SOURCE_BYTES

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def _config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_the_upload_limit_is_what_intake_reads():
    # Streamlit counts maxUploadSize in MiB (1024 * 1024 bytes).
    assert _config()["server"]["maxUploadSize"] * 1024 * 1024 == MAX_SOURCE_BYTES


def test_visitors_get_xsrf_and_cors_protection_and_no_tracebacks():
    config = _config()
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
