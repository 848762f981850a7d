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


# Helpers added by the intake engineer (engineer A).


def make_animated(
    fmt: str = "GIF",
    colors: tuple[tuple[int, int, int], ...] = ((255, 0, 0), (0, 0, 255), (0, 255, 0)),
    size: tuple[int, int] = (600, 600),
) -> bytes:
    """A real multi-frame GIF, WEBP or APNG whose frames have different solid colours."""
    frames = [Image.new("RGB", size, color) for color in colors]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def make_oriented_photo(
    orientation: int = 6,
    size: tuple[int, int] = (800, 600),
    *,
    gps: bool = True,
    fmt: str = "JPEG",
) -> bytes:
    """A sideways-stored photo with EXIF orientation and GPS; a red square marks stored top-left."""
    from PIL import ExifTags

    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestCam"
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 1.5)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 2.5)
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def make_16bit_png(
    values: tuple[int, int] = (60000, 1000), size: tuple[int, int] = (600, 600)
) -> bytes:
    """A 16-bit greyscale PNG (mode I;16): left half values[0], right half values[1]."""
    wide = Image.new("I", size, values[1])
    wide.paste(values[0], (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    wide.convert("I;16").save(buffer, "PNG")
    return buffer.getvalue()


def make_transparent_palette_png(size: tuple[int, int] = (600, 600)) -> bytes:
    """A palette PNG: transparent index 0 (stored black) around an opaque blue square."""
    image = Image.new("P", size, 0)
    image.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    quarter = size[0] // 4
    image.paste(1, (quarter, quarter, 3 * quarter, 3 * quarter))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    return buffer.getvalue()


def make_heic(
    size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (20, 160, 40)
) -> bytes:
    """A HEIC image encoded in memory with pillow-heif."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "HEIF")
    return buffer.getvalue()


def make_screenshot(size: tuple[int, int] = (1600, 1000)) -> bytes:
    """A screenshot-like PNG: white page, black text lines, a coloured toolbar."""
    from PIL import ImageDraw

    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 40), fill=(40, 90, 200))
    for row in range(60, size[1] - 20, 24):
        draw.text(
            (20, row), "The quick brown fox jumps over the lazy dog 0123456789", fill=(0, 0, 0)
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
