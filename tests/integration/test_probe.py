"""`vision probe` end to end against the echo: the unknown model is measured, then estimated
as precisely as a documented one; a server that resizes its own way is caught."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import ECHO_API_KEY
from tests.support.echo_requests import PROMPT, SYSTEM
from tests.support.images import make_photo
from tests.support.models import LLAMA4, MYSTERY, QWEN25
from vision import prepare_image
from vision.api.client import VisionClient
from vision.calibration.calibrator import calibrating, calibrator_at
from vision.calibration.probe import PROBE_SIZES, plan_probe, run_probe
from vision.chat.preflight import preflight, usage_warning
from vision.echo import EchoServer
from vision.echo.catalog import MODELS_BY_ID
from vision.images.grids import RoundedGrid
from vision.images.profiles import profile_for

REPO = Path(__file__).resolve().parents[2]


def vision_cli(*args: str, echo: EchoServer, store: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IOINTELLIGENCE_", "VISION_"))}
    env |= {
        "IOINTELLIGENCE_BASE_URL": echo.base_url,
        "IOINTELLIGENCE_API_KEY": ECHO_API_KEY,
        "VISION_CALIBRATION_PATH": str(store),
    }
    return subprocess.run(
        [sys.executable, "-m", "vision", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_a_probe_teaches_the_unknown_model_and_its_preflight_becomes_exact(
    client: VisionClient, echo: EchoServer, tmp_path: Path
) -> None:
    info = {info.id: info for info in client.list_models()}[MYSTERY]
    plan = plan_probe(MYSTERY, info)
    assert plan.basis.label == "a guess"
    calibrator = calibrator_at(tmp_path / "calibration.json")
    steps: list[tuple[int, int]] = []
    report = run_probe(client, plan, calibrator, progress=lambda *step: steps.append(step))
    assert steps[-1] == (plan.requests, plan.requests)
    assert len(echo.chat_requests) == plan.requests
    assert [(w, h) for w, h, _ in report.points] == list(PROBE_SIZES)
    assert report.discovery is not None
    grid = report.discovery.geometry
    assert isinstance(grid, RoundedGrid)
    assert (grid.factor, grid.min_pixels, grid.max_pixels, grid.wrapper_tokens) == (
        24,
        9_216,
        589_824,
        3,
    )
    assert report.basis.label == f"calibrated from {len(PROBE_SIZES)} answers (±0%)"
    assert not report.contradicts

    with calibrating(calibrator):
        image = prepare_image(make_photo((4032, 3024)), model=MYSTERY)
        # Prepared as precisely as a documented model: the grid it reads, no more.
        assert (image.width, image.height) == (864, 648)
        assert any("grid measured for this model" in step for step in image.steps)
        check = preflight(MYSTERY, [image], PROMPT, SYSTEM, 64, info)
        assert check.estimate_basis.kind == "calibrated"
        result = client.chat(
            model=MYSTERY, prompt=PROMPT, system=SYSTEM, images=[image.as_ref()], max_tokens=64
        )
        assert result.usage.prompt_tokens == check.prompt_tokens
        assert usage_warning(check.image_tokens, check.text_tokens, model=MYSTERY) is not None


def test_probing_a_published_family_confirms_it(client: VisionClient, tmp_path: Path) -> None:
    calibrator = calibrator_at(tmp_path / "calibration.json")
    report = run_probe(client, plan_probe(LLAMA4), calibrator)
    assert report.check == "Agrees with Llama 4's published geometry at every probed size."
    assert not report.contradicts
    with calibrating(calibrator):
        assert profile_for(LLAMA4).basis.label == "published geometry"
        assert profile_for(LLAMA4).basis.contradiction is None


def test_a_server_that_resizes_its_own_way_is_flagged(
    client: VisionClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Served with max_pixels lowered to 1280 tokens, as vLLM's --mm-processor-kwargs allows.
    capped = RoundedGrid(
        family="capped", factor=28, min_pixels=3136, max_pixels=1280 * 28 * 28, wrapper_tokens=2
    )
    monkeypatch.setitem(MODELS_BY_ID, QWEN25, replace(MODELS_BY_ID[QWEN25], geometry=capped))
    calibrator = calibrator_at(tmp_path / "calibration.json")
    report = run_probe(client, plan_probe(QWEN25), calibrator)
    assert report.contradicts
    assert report.check is not None
    assert report.check.startswith("Contradicts Qwen2.5-VL's published geometry at 2 of 9 sizes")
    with calibrating(calibrator):
        basis = profile_for(QWEN25).basis
    assert basis.label == "published geometry"
    assert basis.contradiction is not None


def test_the_command_shows_the_cost_and_sends_only_with_yes(echo: EchoServer, tmp_path: Path):
    store = tmp_path / "calibration.json"
    plan = vision_cli("probe", "-m", MYSTERY, echo=echo, store=store)
    assert plan.returncode == 0, plan.stderr
    assert f"Probe of {MYSTERY}: 10 requests" in plan.stdout
    assert "estimated cost: ≈" in plan.stdout
    assert "Nothing was sent. Run again with --yes" in plan.stdout
    assert echo.chat_requests == []
    assert not store.exists()

    sent = vision_cli("probe", "-m", MYSTERY, "--yes", echo=echo, store=store)
    assert sent.returncode == 0, sent.stderr
    assert len(echo.chat_requests) == 10
    assert "1600×1200: 975 image tokens" in sent.stdout
    assert "Learned: 24-px grid, 9,216–589,824 px per image, +3 tokens per image" in sent.stdout
    assert "From now on its estimates are: calibrated from 9 answers (±0%)" in sent.stdout
    assert f"Stored 9 measurements in {store}" in sent.stdout
    assert store.exists()

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(make_photo((4032, 3024)))
    checked = vision_cli("check", str(photo), "--model", MYSTERY, echo=echo, store=store)
    assert checked.returncode == 0, checked.stderr
    assert "sends image/jpeg 864×648" in checked.stdout
    assert f"about 975 prompt tokens on {MYSTERY}" in checked.stdout


def test_the_command_refuses_a_text_model_with_a_sentence(echo: EchoServer, tmp_path: Path):
    result = vision_cli(
        "probe", "-m", "meta-llama/Llama-3.3-70B-Instruct", echo=echo, store=tmp_path / "c.json"
    )
    assert result.returncode == 1
    assert "does not take images" in result.stderr
    assert "Traceback" not in result.stderr
