"""The HTML reports in Chromium, in a light and a dark system scheme, wide and on a phone: the
page takes the scheme's colours, no text is under 4.5:1, and no chart text is cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.support.apps import ARTIFACTS
from tests.support.clipping import clipped_text
from tests.support.contrast import faint_text
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.schemes import SCHEMES, Scheme, background, shoot, use_scheme
from vision.cli.main import main
from vision.echo import EchoServer
from vision.report.style import DARK, LIGHT

pytestmark = pytest.mark.e2e

KEY = "report-look-key"
WIDTHS = ((1440, 900), (390, 844))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A scored batch's report (tagged items: both charts, right and wrong samples) and a
    resolution sweep's (its two line charts), written by the command line against the echo."""
    folder = tmp_path_factory.mktemp("reports")
    lines = []
    for index in range(4):
        (folder / f"{index}.png").write_bytes(make_image("PNG", (640 + index, 480)))
        tag = "chart" if index % 2 else "document"
        lines.append({"image": f"{index}.png", "question": "Who?", "answer": "Qwen", "tag": tag})
    items = folder / "items.jsonl"
    items.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with EchoServer(api_key=KEY) as echo, pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOINTELLIGENCE_API_KEY", KEY)
        patch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
        patch.setenv("VISION_HISTORY_PATH", str(folder / "history.sqlite3"))
        batch, sweep = folder / "batch.html", folder / "sweep.html"
        models = ["-m", QWEN, "-m", LLAMA]
        assert main(["eval", "--images", str(items), *models, "--report", str(batch)]) == 0
        assert main(["sweep", "--images", str(items), *models, "--budgets", "256,1280",
                     "--report", str(sweep)]) == 0  # fmt: skip
    return {"batch": batch, "sweep": sweep}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", ["batch", "sweep"])
def test_a_report_reads_in_the_systems_scheme_wide_and_on_a_phone(
    page: Page, reports: dict[str, Path], name: str, scheme: Scheme
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(reports[name].as_uri())
    use_scheme(page, scheme)
    assert background(page) == (DARK if scheme == "dark" else LIGHT)["page"]
    charts = page.locator("svg[role='img'] text")
    assert charts.count() > 10  # the charts are there, and drawn as text
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        where = f"{name} report at {width} px ({scheme})"
        faint = faint_text(page)
        assert not faint, f"{where}: " + "; ".join(map(str, faint))
        cut = clipped_text(page, within=["svg[role='img']"])
        assert not cut, f"{where}: " + "; ".join(map(str, cut))
        shoot(page, ARTIFACTS / f"look-report-{name}-{scheme}-{width}.png")
