"""Saved runs' thumbnails as data URLs, encoded once per image rather than on every rerun.

A data URL goes to the browser as it is: Streamlit neither opens nor resizes it, where bytes
shown at a pixel width would be decoded, resized and re-encoded on each rerun.
"""

from __future__ import annotations

import streamlit as st

from vision.images.encode import data_url
from vision.values.run import RunImage

# A History page shows at most 50 runs; a batch grid one thumbnail per item.
CACHED_THUMBNAILS = 512


@st.cache_data(show_spinner=False, max_entries=CACHED_THUMBNAILS)
def _encoded(sha256: str, _thumbnail: bytes) -> str:
    # Keyed by the image's hash alone: the underscore keeps Streamlit from hashing the bytes.
    return data_url("image/jpeg", _thumbnail)


def thumbnail_data_url(image: RunImage) -> str:
    """The image's small JPEG thumbnail as a data: URL (empty-handed images give "")."""
    if not image.thumbnail:
        return ""
    if not image.sha256:
        return data_url("image/jpeg", image.thumbnail)
    return _encoded(image.sha256, image.thumbnail)
