"""The preflight says where each estimate comes from; a model the app cannot know is measured
from the page, and from then on it is estimated from what was measured."""

from __future__ import annotations

import re

import pytest

from tests.support.images import make_photo
from tests.support.models import LLAMA4, MYSTERY, QWEN3
from tests.support.pages import shows, texts
from tests.support.playground_page import answered, upload


@pytest.fixture(autouse=True)
def calibration_file(tmp_path, monkeypatch):
    path = tmp_path / "calibration.json"
    monkeypatch.setenv("VISION_CALIBRATION_PATH", str(path))
    return path


def preflight_line(at, model_name: str) -> str:
    return next(text for text in texts(at) if text.startswith(f"**{model_name}**:"))


def test_published_families_say_so(app):
    at = app()
    at.multiselect(key="models").set_value([LLAMA4, QWEN3]).run()
    upload(at, ("harbour.jpg", make_photo((1600, 1200)), "image/jpeg"))
    for model in (LLAMA4, QWEN3):
        assert preflight_line(at, model.rsplit("/", 1)[-1]).endswith("estimate: published geometry")
    assert not [button for button in at.button if (button.key or "").startswith("probe_")]


def test_an_unknown_model_is_a_guess_until_measured_then_calibrated(app, echo, calibration_file):
    at = app()
    at.multiselect(key="models").set_value([MYSTERY]).run()
    upload(at, ("harbour.jpg", make_photo((1600, 1200)), "image/jpeg"))
    assert preflight_line(at, "mystery-vision").endswith("estimate: a guess")
    before = len(echo.chat_requests)
    at.button(key=f"probe_{MYSTERY}").click().run()
    assert not at.exception
    assert len(echo.chat_requests) > before  # the probe's small requests went out
    assert calibration_file.exists()
    line = preflight_line(at, "mystery-vision")
    assert "estimate: calibrated from" in line
    assert shows(at, "Learned:")
    # The estimate now matches what the server counts for this image.
    estimate = int(re.search(r"≈([\d,]+) prompt tokens", line)[1].replace(",", ""))
    at.button(key="send").click().run()
    answered(at)
    assert not at.exception
    assert echo.chat_requests[-1].body["model"] == MYSTERY
    counted = next(text for text in texts(at) if ":material/input:" in text)
    assert f":material/input: {estimate:,} prompt" in counted
