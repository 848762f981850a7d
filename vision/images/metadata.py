"""Remove metadata (EXIF, XMP, comments) and trailing bytes from image files, pixels untouched.

Each walker copies the container's structure and leaves out what identifies the person or device.
It returns None when the structure is not what it expects: the caller then re-encodes instead.
ICC colour profiles are kept: they change how colours display and say nothing about the user.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

JPEG_FORMATS = ("JPEG", "MPO")


class _MalformedError(Exception):
    """The container does not have the structure its signature promises."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Stripped:
    """An image file with metadata removed: its bytes and what was taken out."""

    data: bytes = field(repr=False)
    removed: tuple[str, ...] = ()


def strip_metadata(data: bytes, fmt: str, *, keep_metadata: bool = False) -> Stripped | None:
    """The file without metadata (keep_metadata: only trailing bytes go); None if unparsable."""
    walkers = {"JPEG": _strip_jpeg, "MPO": _strip_jpeg, "PNG": _strip_png, "WEBP": _strip_webp}
    walkers["GIF"] = _strip_gif
    walker = walkers.get(fmt)
    if walker is None:
        return None
    try:
        out, removed, trailing = walker(data, keep_metadata)
    except (_MalformedError, IndexError):
        return None
    labels = sorted(removed)
    if trailing:
        labels.append("data after the end of the image")
    return Stripped(data=out, removed=tuple(labels))


# JPEG: a sequence of FF-marker segments; entropy-coded data follows each SOS up to the next marker.

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7 carry no length


def _jpeg_label(marker: int, body: bytes) -> str | None:
    """What a metadata segment holds, or None for a segment decoding needs."""
    if marker == 0xE0:  # APP0: JFIF is needed; JFXX only carries a thumbnail
        return None if body.startswith(b"JFIF\x00") else "thumbnail"
    if marker == 0xE1:
        if body.startswith(b"Exif\x00"):
            return "EXIF"
        return "XMP" if body.startswith(b"http://ns.adobe.com/") else "APP1 data"
    if marker == 0xE2:  # ICC profiles stay; MPF (multi-picture index) and FlashPix go
        return None if body.startswith(b"ICC_PROFILE\x00") else "APP2 data"
    if marker == 0xED:
        return "IPTC"
    if marker == 0xEE:  # APP14 "Adobe" says how to read CMYK/YCCK colour: needed
        return None
    if 0xE3 <= marker <= 0xEF:
        return f"APP{marker - 0xE0} data"
    if marker == 0xFE:
        return "comment"
    return None


def _scan_entropy(data: bytes, pos: int) -> int:
    """Index of the 0xFF that starts the first real marker at or after pos."""
    while True:
        index = data.find(b"\xff", pos)
        if index < 0 or index + 1 >= len(data):
            raise _MalformedError
        following = data[index + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos = index + 1 if following == 0xFF else index + 2
            continue
        return index


def _strip_jpeg(data: bytes, keep: bool) -> tuple[bytes, set[str], bool]:
    if data[:2] != b"\xff\xd8":
        raise _MalformedError
    out = [b"\xff\xd8"]
    removed: set[str] = set()
    pos, size = 2, len(data)
    while True:
        if pos >= size or data[pos] != 0xFF:
            raise _MalformedError
        while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            out.append(b"\xff\xd9")
            return b"".join(out), removed, pos < size
        if marker in _STANDALONE or marker == _SOI:
            out.append(bytes((0xFF, marker)))
            continue
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > size:
            raise _MalformedError
        segment = data[pos : pos + length]
        pos += length
        label = None if keep else _jpeg_label(marker, segment[2:])
        if label is None:
            out.append(bytes((0xFF, marker)) + segment)
        else:
            removed.add(label)
        if marker == _SOS:
            end = _scan_entropy(data, pos)
            out.append(data[pos:end])
            pos = end


# PNG: signature, then length-type-data-CRC chunks up to IEND.

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_checksums_match(data: bytes) -> bool:
    """True when every chunk's CRC matches: Pillow never checks the pixel chunks' CRCs itself."""
    pos, size = len(_PNG_SIGNATURE), len(data)
    while pos + 12 <= size:
        length = int.from_bytes(data[pos : pos + 4], "big")
        end = pos + 12 + length
        if end > size:
            return False
        stored = int.from_bytes(data[end - 4 : end], "big")
        if zlib.crc32(data[pos + 4 : end - 4]) != stored:
            return False
        if data[pos + 4 : pos + 8] == b"IEND":
            return True
        pos = end
    return False


_PNG_METADATA = {
    b"eXIf": "EXIF",
    b"tEXt": "text",
    b"zTXt": "text",
    b"iTXt": "text",
    b"tIME": "time",
}


def _strip_png(data: bytes, keep: bool) -> tuple[bytes, set[str], bool]:
    if not data.startswith(_PNG_SIGNATURE):
        raise _MalformedError
    out = [_PNG_SIGNATURE]
    removed: set[str] = set()
    pos, size = len(_PNG_SIGNATURE), len(data)
    while pos + 12 <= size:
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > size:
            raise _MalformedError
        label = None if keep else _PNG_METADATA.get(kind)
        if label is not None and kind == b"iTXt" and b"XML:com.adobe.xmp" in data[pos + 8 : end]:
            label = "XMP"
        if label is None:
            out.append(data[pos:end])
        else:
            removed.add(label)
        pos = end
        if kind == b"IEND":
            return b"".join(out), removed, pos < size
    raise _MalformedError


# WEBP: a RIFF container of chunks; VP8X flags announce EXIF (0x08) and XMP (0x04) chunks.

_WEBP_METADATA = {b"EXIF": "EXIF", b"XMP ": "XMP"}
_VP8X_METADATA_FLAGS = 0x08 | 0x04


def _strip_webp(data: bytes, keep: bool) -> tuple[bytes, set[str], bool]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _MalformedError
    riff_end = 8 + int.from_bytes(data[4:8], "little")
    if riff_end > len(data):
        raise _MalformedError
    chunks: list[bytes] = []
    removed: set[str] = set()
    pos = 12
    while pos + 8 <= riff_end:
        kind = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + 8 + length + (length & 1)
        if end > riff_end:
            raise _MalformedError
        label = None if keep else _WEBP_METADATA.get(kind)
        if label is not None:
            removed.add(label)
        elif kind == b"VP8X" and not keep and length >= 1:
            flags = data[pos + 8] & ~_VP8X_METADATA_FLAGS
            chunks.append(data[pos : pos + 8] + bytes((flags,)) + data[pos + 9 : end])
        else:
            chunks.append(data[pos:end])
        pos = end
    if pos != riff_end:
        raise _MalformedError
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body, removed, riff_end < len(data)


# GIF: header, screen descriptor, colour table, then extension and image blocks up to the trailer.


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    while True:
        block = data[pos]
        pos += 1 + block
        if block == 0:
            return pos


def _strip_gif(data: bytes, keep: bool) -> tuple[bytes, set[str], bool]:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise _MalformedError
    packed = data[10]
    pos = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    out = [data[:pos]]
    removed: set[str] = set()
    while True:
        introducer = data[pos]
        if introducer == 0x3B:
            out.append(b"\x3b")
            return b"".join(out), removed, pos + 1 < len(data)
        if introducer == 0x2C:
            local = data[pos + 9]
            start = pos
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1
            pos = _skip_sub_blocks(data, pos)
            out.append(data[start:pos])
        elif introducer == 0x21:
            label_byte = data[pos + 1]
            start = pos
            pos = _skip_sub_blocks(data, pos + 2)
            label = None
            if label_byte == 0xFE:
                label = "comment"
            elif label_byte == 0xFF and data[start + 3 : start + 14] == b"XMP DataXMP":
                label = "XMP"
            if label is None or keep:
                out.append(data[start:pos])
            else:
                removed.add(label)
        else:
            raise _MalformedError
        if pos > len(data):
            raise _MalformedError
