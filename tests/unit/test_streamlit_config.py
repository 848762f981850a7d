"""The page's Streamlit settings keep the limits and protections the house rules ask for."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tests.support.contrast import AA_TEXT, contrast_ratio
from vision.images.intake import MAX_SOURCE_BYTES

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def _config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_the_upload_limit_is_what_intake_reads():
    # Streamlit counts maxUploadSize in MiB (1024 * 1024 bytes).
    assert _config()["server"]["maxUploadSize"] * 1024 * 1024 == MAX_SOURCE_BYTES


def test_the_app_listens_on_loopback_unless_told_otherwise():
    # Single-user and without sign-in: nobody else on the network may reach it (the real
    # process is checked in tests/integration/test_listening.py).
    assert _config()["server"]["address"] == "127.0.0.1"


def test_visitors_get_xsrf_and_cors_protection_and_no_tracebacks():
    config = _config()
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def test_production_runs_without_the_file_watcher_per_run_garbage_collection_or_magic():
    # Both cost the server time on every run of every session (bench/load_bench.py measures it);
    # a developer turns hot reload back on from the command line (README, Development).
    config = _config()
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False
    assert config["runner"]["postScriptGC"] is False
    assert config["runner"]["magicEnabled"] is False
    assert config["runner"]["fastReruns"] is True


def test_a_tab_back_from_a_network_blip_still_has_its_answers():
    # The session is kept a few seconds after its connection drops, so a browser that reconnects
    # finds its uploads and answers. How soon it is let go, and the cached-message threshold,
    # are memory and bandwidth: bench/protocol_bench.py measures them (docs/load-protocol.md).
    assert _config()["server"]["disconnectedSessionTTL"] >= 5


def _dotted(table: dict, prefix: str = "") -> list[str]:
    """Every option of a TOML table as Streamlit names it: "server.address", "theme.dark.sidebar.
    backgroundColor"."""
    names: list[str] = []
    for name, value in table.items():
        if isinstance(value, dict):
            names += _dotted(value, f"{prefix}{name}.")
        else:
            names.append(prefix + name)
    return names


def test_every_option_set_is_one_this_streamlit_knows():
    from streamlit import config as streamlit_config

    known = streamlit_config.get_config_options()
    for name in _dotted(_config()):
        assert name in known, f"{name} is not a Streamlit option"


def test_the_page_follows_the_system_theme_and_offers_light_and_dark_in_the_menu():
    # With both [theme.light] and [theme.dark], Streamlit starts on the system's setting and
    # its app menu offers System, Light and Dark; a base in [theme] would pin one of them.
    theme = _config()["theme"]
    assert "base" not in theme
    for mode in ("light", "dark"):
        assert {"backgroundColor", "textColor", "primaryColor"} <= theme[mode].keys()
    light, dark = theme["light"]["backgroundColor"], theme["dark"]["backgroundColor"]
    assert contrast_ratio(light, dark) > 10  # a dark theme that is dark


def test_text_and_primary_buttons_read_at_4_5_to_1_in_both_themes():
    theme = _config()["theme"]
    for mode in ("light", "dark"):
        colours = theme[mode]
        backgrounds = [
            colours["backgroundColor"],
            colours["secondaryBackgroundColor"],
            theme[mode]["sidebar"]["backgroundColor"],
        ]
        for background in backgrounds:
            assert contrast_ratio(colours["textColor"], background) >= AA_TEXT, (mode, background)
        # A primary button's label is white on the primary colour.
        assert contrast_ratio("#ffffff", colours["primaryColor"]) >= AA_TEXT, mode


def test_no_page_relies_on_magic():
    import ast

    root = CONFIG.parents[1]
    pages = [root / "streamlit_app.py", *sorted((root / "ui" / "pages").glob("*.py"))]
    for page in pages:
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call | ast.Await):
                is_text = isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                assert is_text, f"{page.name}:{node.lineno} writes to the page by magic"


def test_the_stylesheets_primary_text_matches_the_light_theme_and_reads_on_the_dark_one():
    # ui/assets/look.css writes the open tab and chosen pills in light-dark(light, dark): the
    # light value is the light theme's primary, the dark one reads on the dark backgrounds.
    stylesheet = (CONFIG.parents[1] / "ui" / "assets" / "look.css").read_text(encoding="utf-8")
    pairs = re.findall(r"light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\)", stylesheet)
    assert pairs
    theme = _config()["theme"]
    for light, dark in pairs:
        assert light == theme["light"]["primaryColor"]
        for background in (
            theme["dark"]["backgroundColor"],
            theme["dark"]["secondaryBackgroundColor"],
        ):
            assert contrast_ratio(dark, background) >= AA_TEXT
