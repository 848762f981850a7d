"""`vision sweep`: the same items at several resolutions, scored against tokens and cost."""

from __future__ import annotations

import re

import pytest

from tests.support.images import make_photo, png_bomb
from tests.support.models import LLAMA, QWEN
from vision.cli.main import main
from vision.history.store import HistoryStore


@pytest.fixture
def photos(env):
    """Three photos in a folder, the command line pointed at the echo."""
    folder = env / "photos"
    folder.mkdir()
    for index in range(3):
        (folder / f"{index}.jpg").write_bytes(make_photo((1600 + index, 1200)))
    return env


def tokens(out: str, label: str, model: str) -> int:
    line = next(line for line in out.splitlines() if line.startswith(f"{label} · {model}:"))
    return int(re.search(r"([\d,]+) prompt tokens", line).group(1).replace(",", ""))


def test_a_smaller_token_budget_sends_fewer_tokens_and_the_report_charts_it(photos, echo, capsys):
    report = photos / "sweep.html"
    code = main(["sweep", "--images", str(photos / "photos"), "-m", QWEN, "--budgets", "256,1280",
                 "--metric", "contains", "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    small, large = tokens(out, "256 tokens", QWEN), tokens(out, "1280 tokens", QWEN)
    assert small < large / 3
    # The images themselves (their lengths may coincide: the photos are random noise).
    sent = {r.body["messages"][-1]["content"][1]["image_url"]["url"] for r in echo.chat_requests}
    assert len(sent) == 6  # each photo went out at two sizes
    html = report.read_text()
    # One line per model on each chart: against tokens, and against cost at the echo's prices.
    assert html.count("<polyline") == 2
    assert "Score against cost" in html
    assert "256 tokens" in html
    assert "1280 tokens" in html
    assert "default-src 'none'" in html
    with HistoryStore(photos / "history.sqlite3") as store:
        assert len(store.batch_ids()) == 2  # one kept batch per setting


def test_a_smaller_longest_side_picks_a_smaller_llama_canvas(photos, capsys):
    code = main(["sweep", "--images", str(photos / "photos"), "-m", LLAMA, "--sides", "560,1120"])
    out = capsys.readouterr().out
    assert code == 0
    assert tokens(out, "560 px", LLAMA) < tokens(out, "1120 px", LLAMA)


def test_a_sweep_needs_two_settings_of_one_kind(photos, capsys):
    assert main(["sweep", "--images", str(photos / "photos"), "-m", QWEN, "--budgets", "512"]) == 1
    assert "at least two settings" in capsys.readouterr().err
    assert main(["sweep", "--images", str(photos / "photos"), "-m", QWEN, "--budgets", "256,512",
                 "--sides", "560,1120"]) == 1  # fmt: skip
    assert "not both" in capsys.readouterr().err


def test_a_sweep_refuses_a_pixel_bomb_without_decoding_it_and_says_so(photos, capsys):
    # 16,000 × 11,100 (178 megapixels) in a few hundred bytes: intake refuses it from its header,
    # and the sweep's smaller longest side goes through that same guarded open.
    (photos / "photos" / "bomb.png").write_bytes(png_bomb(16_000, 11_100))
    code = main(["sweep", "--images", str(photos / "photos"), "-m", QWEN, "--sides", "560,1120"])
    out = capsys.readouterr().out
    assert code == 0
    for label in ("560 px", "1120 px"):
        line = next(line for line in out.splitlines() if line.startswith(f"{label} · {QWEN}:"))
        assert "1 failed, the first: This image is 16000×11100 pixels, too large" in line
