"""What kind of document or video some bytes hold, from their first bytes alone."""

from __future__ import annotations

from typing import Literal

DocumentKind = Literal["pdf", "tiff", "video", "svg"]

# ISO base media files (MP4, MOV) whose brand says image: HEIC/HEIF and AVIF pictures, which
# the image intake reads.
_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
)
# PDF readers accept the header anywhere in the first kilobyte (ISO 32000-1, annex H).
_PDF_HEADER_WITHIN = 1024
_SVG_ROOT_WITHIN = 4096


def video_container(data: bytes) -> str | None:
    """The FFmpeg demuxer for a video's bytes ("mp4", "matroska", "avi"), or None. Naming it
    keeps FFmpeg from guessing among its other demuxers (playlists among them, which open
    further files)."""
    if data[4:8] == b"ftyp" and data[8:12] not in _IMAGE_BRANDS:
        return "mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if data.startswith(b"RIFF") and data[8:12] == b"AVI ":
        return "avi"
    return None


def _is_svg(data: bytes) -> bool:
    head = data[:_SVG_ROOT_WITHIN].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<svg"):
        return True
    return head.startswith((b"<?xml", b"<!--", b"<!DOCTYPE")) and b"<svg" in head


def document_kind(data: bytes) -> DocumentKind | None:
    """ "pdf", "tiff", "video" or "svg" for bytes that hold one, else None (an image, or
    anything else)."""
    if b"%PDF-" in data[:_PDF_HEADER_WITHIN]:
        return "pdf"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if video_container(data) is not None:
        return "video"
    if _is_svg(data):
        return "svg"
    return None
