"""Documents and videos the tests make themselves: PDFs written by hand (text pages, blank pages,
thousands of pages, a page of any size, a password), multi-page TIFFs, videos whose every second
has its own colour, animated GIFs."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

LETTER = (612.0, 792.0)  # points


@dataclass(frozen=True, slots=True)
class Page:
    """A PDF page: its size in points, and lines of Helvetica text from the top."""

    size: tuple[float, float] = LETTER
    lines: tuple[str, ...] = ()
    font_size: int = 12
    box: bool = False  # a black rectangle filling the middle third, for ink without text


def _content(page: Page) -> bytes:
    parts: list[str] = []
    if page.box:
        width, height = page.size
        parts.append(f"0 g {width / 3:.1f} {height / 3:.1f} {width / 3:.1f} {height / 3:.1f} re f")
    top = page.size[1] - 72
    for number, line in enumerate(page.lines):
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        y = top - number * page.font_size * 1.4
        parts.append(f"BT /F1 {page.font_size} Tf 72 {y:.1f} Td ({escaped}) Tj ET")
    return "\n".join(parts).encode("latin-1")


def pdf_bytes(pages: Sequence[Page], *, password_protected: bool = False) -> bytes:
    """A PDF of these pages; `password_protected` adds a standard security handler whose user
    password is not empty, so a reader asks for it."""
    count = len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(count))}] "
        f"/Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for index, page in enumerate(pages):
        width, height = page.size
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * index} 0 R >>".encode()
        )
        stream = _content(page)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    security = b""
    if password_protected:
        security = (
            b" /Encrypt << /Filter /Standard /V 1 /R 2 /O <"
            + b"4f" * 32
            + b"> /U <"
            + b"55" * 32
            + b"> /P -44 >> /ID [<00112233445566778899aabbccddeeff>"
            b"<00112233445566778899aabbccddeeff>]"
        )
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, security)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def text_page(number: int, lines: int = 20) -> Page:
    """A letter page of text that names its number on every line."""
    return Page(lines=tuple(f"Page {number} line {line} of the report." for line in range(lines)))


def report_pdf(count: int = 12) -> bytes:
    """A report of `count` text pages."""
    return pdf_bytes([text_page(number) for number in range(1, count + 1)])


def tiff_bytes(
    colours: Sequence[tuple[int, int, int]], size: tuple[int, int] = (850, 1100)
) -> bytes:
    """A multi-page TIFF (as a scanner writes it), one flat colour a page."""
    pages = [Image.new("RGB", size, colour) for colour in colours]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    return buffer.getvalue()


def second_colour(second: int) -> tuple[int, int, int]:
    """The colour every frame of that second of a test video shows."""
    return (second * 8 % 256, 255 - second * 8 % 256, 96)


def video_bytes(
    seconds: int = 30,
    *,
    fps: int = 10,
    size: tuple[int, int] = (320, 240),
    container: str = "mp4",
    codec: str = "mpeg4",
) -> bytes:
    """A video made with PyAV in which every frame of second s is second_colour(s)."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    width, height = size
    with av.open(buffer, "w", format=container) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(seconds * fps):
            pixels = np.zeros((height, width, 3), np.uint8)
            pixels[:, :] = second_colour(index // fps)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buffer.getvalue()


def sound_only_bytes(seconds: int = 2) -> bytes:
    """An MP4 that holds sound and no picture."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=44100)
        samples = np.zeros((1, 1024), np.float32)
        for index in range(seconds * 44100 // 1024):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate = 44100
            frame.pts = index * 1024
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buffer.getvalue()


def animated_gif(colours: Sequence[tuple[int, int, int]], delay_ms: int = 500) -> bytes:
    """An animated GIF, one flat colour a frame, each shown for delay_ms."""
    frames = [Image.new("RGB", (64, 48), colour) for colour in colours]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=delay_ms, loop=0
    )
    return buffer.getvalue()
