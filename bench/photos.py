"""Photo-like test images for the benchmarks: smooth light, texture, grain, hard edges and text.

A flat colour or a bare gradient compresses to almost nothing, which makes decoding and
re-encoding look far cheaper than a camera file. These scenes are built to land where real
photos do: a 12 MP JPEG at quality 92 is a few megabytes. Everything is deterministic per seed.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFont

from vision.limits import MAX_IMAGE_BYTES, MAX_SIDE_PX

PHONE_PHOTO = (4032, 3024)  # a 12-megapixel phone camera, landscape
# Texture amplitude (± levels) that brings a 4096×4096 PNG close to, but under, 20 MiB.
PNG_DETAIL = 3

_WORDS = ("EXIT", "Café 24h", "Platform 3", "SALE -50%", "No parking", "Bakery", "Main St.")


def _grain(size: tuple[int, int], amplitude: int, rng: random.Random) -> Image.Image:
    """Uniform noise of ±amplitude around 128, one band, reproducible from rng."""
    width, height = size
    noise = Image.frombytes("L", size, rng.randbytes(width * height))
    span = 2 * amplitude + 1
    return noise.point([128 - amplitude + value * span // 256 for value in range(256)])


def _light(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Sky-to-ground light with a soft sun and cloudy low-frequency texture."""
    width, height = size
    vertical = Image.linear_gradient("L").resize(size)
    sun = Image.radial_gradient("L").resize((width * 2, height * 2))
    left, top = rng.randrange(width), rng.randrange(height // 2)
    sun = sun.crop((width - left, height - top, 2 * width - left, 2 * height - top))
    cloud_size = (max(1, width // 48), max(1, height // 48))
    clouds = Image.frombytes("L", cloud_size, rng.randbytes(cloud_size[0] * cloud_size[1]))
    clouds = clouds.resize(size, Image.Resampling.BICUBIC)
    # Mid-frequency detail (foliage, fabric, gravel): what makes camera JPEGs weigh megabytes.
    detail_size = (max(1, width // 3), max(1, height // 3))
    detail = Image.frombytes("L", detail_size, rng.randbytes(detail_size[0] * detail_size[1]))
    detail = detail.resize(size, Image.Resampling.BICUBIC)
    clouds = ImageChops.blend(clouds, detail, 0.25)
    red = ImageChops.blend(vertical, clouds, 0.35)
    green = ImageChops.blend(ImageChops.invert(sun), clouds, 0.3)
    blue = ImageChops.blend(ImageChops.invert(vertical), sun, 0.4)
    return Image.merge("RGB", (red, green, blue))


def _scenery(image: Image.Image, rng: random.Random) -> None:
    """Buildings with windows, round objects, wires and signs: the edges a camera sees."""
    draw = ImageDraw.Draw(image)
    width, height = image.size
    horizon = height * 3 // 5
    x = 0
    while x < width:
        wide = rng.randrange(max(1, width // 20), max(2, width // 7))
        top = rng.randrange(height // 5, horizon)
        shade = tuple(rng.randrange(40, 200) for _ in range(3))
        draw.rectangle((x, top, x + wide, height), fill=shade)
        step = max(12, wide // 8)
        for wx in range(x + step // 2, x + wide - step, step):
            for wy in range(top + step // 2, height - step, step * 2):
                lit = rng.random() < 0.4
                draw.rectangle(
                    (wx, wy, wx + step // 2, wy + step),
                    fill=(250, 230, 150) if lit else (30, 40, 60),
                )
        x += wide + rng.randrange(0, width // 40)
    for _ in range(12):
        cx, cy, r = rng.randrange(width), rng.randrange(horizon, height), rng.randrange(20, 160)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=(0, 0, 0), width=4)
    for _ in range(6):
        draw.line(
            (0, rng.randrange(height // 2), width, rng.randrange(height // 2)),
            fill=(20, 20, 20),
            width=3,
        )
    for _ in range(8):
        font = ImageFont.load_default(size=rng.randrange(12, max(13, height // 14)))
        left, top = rng.randrange(width * 4 // 5), rng.randrange(height * 9 // 10)
        word = rng.choice(_WORDS)
        box = draw.textbbox((left, top), word, font=font)
        draw.rectangle((box[0] - 10, box[1] - 10, box[2] + 10, box[3] + 10), fill=(245, 245, 240))
        draw.text((left, top), word, font=font, fill=(180, 20, 20))


def _texture(size: tuple[int, int], amplitude: int, scale: int, rng: random.Random) -> Image.Image:
    """RGB noise of ±amplitude around 128, blurred by generating it at 1/scale and upscaling."""
    small = (max(1, size[0] // scale), max(1, size[1] // scale))
    bands = [_grain(small, amplitude, rng) for _ in range(3)]
    return Image.merge("RGB", bands).resize(size, Image.Resampling.BICUBIC)


def photo(
    size: tuple[int, int] = PHONE_PHOTO, *, seed: int = 0, detail: int = 16, grain: int = 4
) -> Image.Image:
    """A photo-like RGB scene of this size: light, texture, edges, text and sensor grain."""
    rng = random.Random(seed)
    image = _light(size, rng)
    _scenery(image, rng)
    if detail > 0:  # surfaces are never flat in a photo: brick, leaves, fabric
        image = ImageChops.add(image, _texture(size, detail, 2, rng), offset=-128)
    if grain > 0:
        image = ImageChops.add(image, _texture(size, grain, 1, rng), offset=-128)
    return image


def photo_jpeg(
    size: tuple[int, int] = PHONE_PHOTO, *, seed: int = 0, quality: int = 92, orientation: int = 1
) -> bytes:
    """A photo-like JPEG (a camera file, optionally stored sideways with an EXIF orientation)."""
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"  # Make
    if orientation != 1:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    photo(size, seed=seed).save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def photo_webp(size: tuple[int, int] = (MAX_SIDE_PX, 3072), *, seed: int = 0) -> bytes:
    """A large lossy WEBP photo (method 0 keeps generation quick; decoders do not care)."""
    buffer = io.BytesIO()
    photo(size, seed=seed).save(buffer, "WEBP", quality=90, method=0)
    return buffer.getvalue()


def noisy_png(side: int = MAX_SIDE_PX, *, seed: int = 0) -> bytes:
    """A side×side photo-like PNG textured to weigh close to 20 MiB (never over the limit)."""
    detail = PNG_DETAIL
    while True:
        buffer = io.BytesIO()
        image = photo((side, side), seed=seed, detail=detail, grain=0)
        # Level 1 (what fast exporters use) encodes in about a second; level 6 takes ten.
        image.save(buffer, "PNG", compress_level=1)
        if buffer.tell() <= MAX_IMAGE_BYTES or detail <= 1:
            return buffer.getvalue()
        detail -= 1
