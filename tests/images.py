"""Images made in memory with Pillow, friendly and hostile, for every test layer."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def make_image(
    fmt: str = "PNG",
    size: tuple[int, int] = (640, 480),
    mode: str = "RGB",
    color: tuple[int, ...] | int = (200, 30, 30),
    **save: object,
) -> bytes:
    """Encode a solid image of the given format, size and mode."""
    image = Image.new(mode, size, color)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def make_photo(size: tuple[int, int] = (1024, 768), fmt: str = "JPEG", **save: object) -> bytes:
    """A smooth, photo-like gradient (compresses like a real photo, unlike a flat colour)."""
    width, height = size
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    rgb = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buffer = io.BytesIO()
    rgb.save(buffer, fmt, **save)
    return buffer.getvalue()


def make_animated_gif(frames: int = 3, size: tuple[int, int] = (64, 64)) -> bytes:
    """An animated GIF whose frames differ in colour."""
    images = [Image.new("P", size, i * 40) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=50, loop=0)
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares an enormous size (a pixel bomb)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
