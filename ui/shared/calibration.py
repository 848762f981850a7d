"""The process's calibrator: measurements of what images cost each model, used by every page."""

from __future__ import annotations

import streamlit as st

from vision.calibration.calibrator import Calibrator, calibrator_at, install
from vision.calibration.storage import default_calibration_path


@st.cache_resource(show_spinner=False)
def _calibrator(path: str) -> Calibrator:
    return calibrator_at(path)


def page_calibrator() -> Calibrator:
    """The calibrator on the configured measurements file, installed for every estimate."""
    chosen = _calibrator(str(default_calibration_path()))
    install(chosen)
    return chosen
