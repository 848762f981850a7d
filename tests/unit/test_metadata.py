"""Lossless metadata removal: the same pixels, none of the EXIF, XMP, comments or appended bytes."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from tests.support.images import make_oriented_photo, make_photo
from vision import prepare_image
from vision.images.metadata import strip_metadata

XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret-location</rdf:RDF></x:xmpmeta>'


def pixels(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    return image.convert("RGBA").tobytes()


def with_metadata(fmt: str) -> bytes:
    image = Image.open(io.BytesIO(make_oriented_photo(1, (640, 640))))
    exif = image.getexif()
    buffer = io.BytesIO()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "secret-comment")
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        image.save(buffer, "PNG", pnginfo=info, exif=exif)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", exif=exif, xmp=XMP, lossless=True)
    elif fmt == "GIF":
        image.convert("P").save(buffer, "GIF", comment=b"secret-comment")
    else:
        image.save(buffer, "JPEG", exif=exif, xmp=XMP, comment=b"secret-comment", quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_strip_keeps_pixels_and_drops_metadata(fmt):
    original = with_metadata(fmt)
    stripped = strip_metadata(original, fmt)
    assert stripped is not None
    assert stripped.removed
    assert pixels(stripped.data) == pixels(original)
    for secret in (b"secret-comment", b"secret-location", b"TestCam", b"Exif\x00"):
        assert secret not in stripped.data
    reopened = Image.open(io.BytesIO(stripped.data))
    assert reopened.format == fmt
    assert not reopened.getexif()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_prepare_sends_the_stripped_file_without_re_encoding(fmt):
    prepared = prepare_image(with_metadata(fmt))
    assert not prepared.reencoded
    assert b"secret-comment" not in prepared.data
    assert b"TestCam" not in prepared.data


def test_keep_metadata_leaves_the_file_alone():
    original = with_metadata("JPEG")
    prepared = prepare_image(original, keep_metadata=True)
    assert prepared.data == original


def test_icc_profile_is_kept():
    icc = Image.open(io.BytesIO(make_photo((64, 64))))
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    icc.save(buffer, "JPEG", icc_profile=profile, comment=b"x")
    stripped = strip_metadata(buffer.getvalue(), "JPEG")
    assert stripped is not None
    assert Image.open(io.BytesIO(stripped.data)).info.get("icc_profile") == profile


def test_unparsable_structure_gives_none():
    assert strip_metadata(b"\xff\xd8\x00\x00garbage", "JPEG") is None
    assert strip_metadata(b"\x89PNG\r\n\x1a\n\x00\x00", "PNG") is None
    assert strip_metadata(b"RIFF\xff\xff\xff\x7fWEBP", "WEBP") is None
    assert strip_metadata(b"GIF89a\x01\x00", "GIF") is None
    assert strip_metadata(b"anything", "TIFF") is None
