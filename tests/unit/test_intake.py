"""prepare_image: what a user would notice about the image that is actually sent."""

from __future__ import annotations

import base64
import io
import os

import pytest
from PIL import ExifTags, Image

from tests.support.images import (
    make_16bit_png,
    make_animated,
    make_image,
    make_oriented_photo,
    make_photo,
    make_transparent_palette_png,
    png_bomb,
)
from tests.support.models import QWEN
from vision import (
    ImageError,
    ImageTooLargeError,
    ImageUnreadableError,
    RequestError,
    UnsupportedImageError,
    prepare_image,
)
from vision.limits import MAX_IMAGE_BYTES


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close_to(actual, expected, tolerance=12):
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# Format sniffing: the bytes decide, never the name.


def test_png_named_jpg_is_sent_as_png_with_a_note():
    png = make_image("PNG", (640, 640))
    prepared = prepare_image(png, filename="holiday.jpg")
    assert prepared.mime == "image/png"
    assert prepared.data_url.startswith("data:image/png;base64,")
    assert any(".jpg" in warning and "PNG" in warning for warning in prepared.warnings)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "EPS"),
        (make_image("BMP", (600, 600)), "BMP"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
    ],
)
def test_non_accepted_formats_are_refused_with_a_sentence(data, named):
    with pytest.raises(UnsupportedImageError) as caught:
        prepare_image(data, filename="picture.png")
    message = str(caught.value)
    assert named in message
    assert "JPEG, PNG, WEBP or GIF" in message


@pytest.mark.parametrize("data", [b"", b"hello, world", os.urandom(4096)])
def test_non_image_bytes_are_an_image_error(data):
    with pytest.raises(UnsupportedImageError):
        prepare_image(data)


def test_a_string_instead_of_bytes_is_an_image_error():
    with pytest.raises(UnsupportedImageError):
        prepare_image("photo.jpg")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_are_unreadable(fmt):
    data = make_photo((800, 600), fmt)
    with pytest.raises(ImageUnreadableError):
        prepare_image(data[: len(data) // 2])


def test_corrupted_middle_is_an_image_error_never_another_type():
    data = bytearray(make_photo((800, 600), "PNG"))
    data[200:400] = b"\x00" * 200
    with pytest.raises(ImageError):
        prepare_image(bytes(data))


def test_pixel_bomb_is_refused_before_decoding():
    with pytest.raises(ImageTooLargeError):
        prepare_image(png_bomb())


# Frames, orientation and colour.


@pytest.mark.parametrize(("fmt", "mime"), [("GIF", "image/gif"), ("WEBP", None), ("PNG", None)])
def test_animated_images_send_their_first_frame(fmt, mime):
    prepared = prepare_image(make_animated(fmt))
    assert any("first frame" in warning for warning in prepared.warnings)
    sent = decode(prepared.data)
    assert not getattr(sent, "is_animated", False)
    assert close_to(sent.convert("RGB").getpixel((300, 300)), (255, 0, 0), 30)
    assert mime is None or prepared.mime in ("image/png", "image/jpeg")


def test_exif_rotated_photo_comes_out_upright():
    prepared = prepare_image(make_oriented_photo(6, (800, 600)))
    assert (prepared.width, prepared.height) == (600, 800)
    sent = decode(prepared.data).convert("RGB")
    assert sent.size == (600, 800)
    # Orientation 6 turns the stored top-left corner into the displayed top-right one.
    assert close_to(sent.getpixel((560, 40)), (255, 0, 0), 40)
    assert close_to(sent.getpixel((40, 40)), (255, 255, 255), 40)
    assert "Orientation" not in str(dict(sent.getexif()))
    assert any("rotated upright" in step for step in prepared.steps)


@pytest.mark.parametrize("orientation", [1, 6])
def test_gps_never_leaves_the_machine(orientation):
    prepared = prepare_image(make_oriented_photo(orientation, (800, 600), gps=True))
    sent = decode(prepared.data)
    assert not sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" not in prepared.data
    assert b"TestCam" not in prepared.data


def test_upright_gps_photo_is_stripped_without_re_encoding():
    original = make_oriented_photo(1, (800, 600), gps=True)
    prepared = prepare_image(original)
    assert prepared.size_bytes < len(original)
    assert not prepared.passed_through
    assert decode(prepared.data).tobytes() == decode(original).tobytes()
    assert any("without re-encoding" in step for step in prepared.steps)


def test_keep_metadata_sends_exif_with_orientation_reset():
    prepared = prepare_image(make_oriented_photo(6, (800, 600)), keep_metadata=True)
    exif = decode(prepared.data).getexif()
    assert exif.get(ExifTags.Base.Make) == "TestCam"
    assert exif.get(ExifTags.Base.Orientation) == 1


def test_cmyk_jpeg_becomes_rgb_with_the_same_colour():
    cmyk = make_image("JPEG", (600, 600), "CMYK", (0, 255, 255, 0))  # pure red ink
    reference = decode(cmyk).convert("RGB").getpixel((300, 300))
    prepared = prepare_image(cmyk)
    sent = decode(prepared.data)
    assert sent.mode == "RGB"
    assert close_to(sent.getpixel((300, 300)), reference)
    assert any("CMYK" in step for step in prepared.steps)


def test_16_bit_png_is_scaled_not_clipped():
    prepared = prepare_image(make_16bit_png((60000, 1000)))
    sent = decode(prepared.data).convert("L")
    bright, dark = sent.getpixel((100, 300)), sent.getpixel((500, 300))
    assert 225 <= bright <= 240  # 60000 / 257 = 233: bright stays bright, not clipped white
    assert dark <= 8  # 1000 / 257 = 4: dark stays dark, not clipped to 255
    assert any("16-bit" in step for step in prepared.steps)


def test_transparent_palette_area_becomes_white():
    prepared = prepare_image(make_transparent_palette_png((600, 600)))
    sent = decode(prepared.data).convert("RGB")
    assert close_to(sent.getpixel((10, 10)), (255, 255, 255), 4)
    assert close_to(sent.getpixel((300, 300)), (0, 0, 255), 8)
    assert any("transparency" in step for step in prepared.steps)


def test_half_transparent_rgba_is_flattened_onto_white():
    data = make_image("PNG", (600, 600), "RGBA", (0, 0, 0, 0))
    sent = decode(prepare_image(data).data).convert("RGB")
    assert sent.getpixel((5, 5)) == (255, 255, 255)


def test_opaque_rgba_screenshot_passes_through():
    data = make_image("PNG", (640, 640), "RGBA", (10, 20, 30, 255))
    assert prepare_image(data).passed_through


# Limits hold for what is sent.


def test_over_4096_is_downscaled_to_fit():
    prepared = prepare_image(make_photo((5000, 3000)))
    assert (prepared.width, prepared.height) == (4096, 2458)
    assert decode(prepared.data).size == (4096, 2458)
    assert (prepared.original_width, prepared.original_height) == (5000, 3000)
    assert any("5000×3000" in step and "4096×2458" in step for step in prepared.steps)


def test_over_20_mb_is_re_encoded_under_the_limit():
    noise = Image.frombytes("RGB", (3000, 2400), os.urandom(3000 * 2400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    assert len(buffer.getvalue()) > MAX_IMAGE_BYTES
    prepared = prepare_image(buffer.getvalue())
    assert prepared.size_bytes <= MAX_IMAGE_BYTES
    assert (prepared.width, prepared.height) == (3000, 2400)
    assert prepared.mime == "image/jpeg"


def test_small_image_is_a_warning_not_an_error():
    prepared = prepare_image(make_image("PNG", (200, 150)))
    assert prepared.width == 200
    assert any("512×512" in warning for warning in prepared.warnings)


def test_appended_payload_is_not_sent():
    polyglot = make_photo((800, 600)) + b"PK\x03\x04secret-archive"
    prepared = prepare_image(polyglot)
    assert b"PK\x03\x04" not in prepared.data
    assert decode(prepared.data).size == (800, 600)


# The value handed to the payload.


def test_data_url_round_trips_to_the_sent_bytes():
    prepared = prepare_image(make_photo((800, 600)), filename="p.jpg")
    header, text = prepared.data_url.split(",", 1)
    assert header == "data:image/jpeg;base64"
    assert base64.b64decode(text, validate=True) == prepared.data
    assert prepared.size_bytes == len(prepared.data)
    assert prepared.base64_size == len(text)


def test_repr_shows_no_image_bytes():
    prepared = prepare_image(make_photo((800, 600)))
    text = repr(prepared)
    assert "base64" not in text
    assert prepared.data_url[30:60] not in text
    assert "800" in text


def test_fitting_png_passes_through_byte_for_byte():
    png = make_photo((800, 600), "PNG")
    prepared = prepare_image(png)
    assert prepared.data == png
    assert prepared.passed_through
    assert prepared.steps == ("sent the original file unchanged",)


def test_preparation_is_deterministic():
    photo = make_oriented_photo(6, (1200, 900))
    first = prepare_image(photo, model=QWEN)
    second = prepare_image(photo, model=QWEN)
    assert first == second
    assert first.data == second.data


def test_token_budget_out_of_range_is_a_request_error():
    with pytest.raises(RequestError, match="between 256 and 16384"):
        prepare_image(make_photo((800, 600)), model=QWEN, qwen_token_budget=10)


def test_multi_picture_jpeg_sends_only_the_main_picture_losslessly():
    main = Image.new("RGB", (640, 640), (255, 0, 0))
    buffer = io.BytesIO()
    main.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (640, 640), "blue")])
    prepared = prepare_image(buffer.getvalue(), filename="stereo.jpg")
    assert prepared.mime == "image/jpeg"
    assert not prepared.reencoded
    assert not prepared.warnings
    sent = decode(prepared.data)
    assert sent.format == "JPEG"
    assert sent.getpixel((320, 320)) == decode(buffer.getvalue()).getpixel((320, 320))


@pytest.mark.parametrize(
    ("size", "says"),
    [
        ((640, 480), "This image is 640×480: its height is under 512 px"),
        ((480, 640), "This image is 480×640: its width is under 512 px"),
        ((200, 150), "This image is 200×150: both sides are under 512 px"),
    ],
)
def test_the_small_image_warning_names_the_short_side(size, says):
    (warning,) = [w for w in prepare_image(make_image("PNG", size)).warnings if "512" in w]
    assert warning.startswith(says)


def test_an_image_with_both_sides_large_enough_has_no_small_image_warning():
    assert not [w for w in prepare_image(make_image("PNG", (512, 700))).warnings if "512" in w]
