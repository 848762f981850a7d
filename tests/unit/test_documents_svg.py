"""SVG drawings: rasterised at the size the model uses, or refused in a sentence when they name
anything outside themselves; a server on loopback counts every request such a drawing makes."""

from __future__ import annotations

import contextlib
import io

import pytest
import resvg_py
from PIL import Image

from tests.support.collector import collector
from tests.support.models import QWEN
from vision.errors import ImageUnreadableError, UnsupportedImageError
from vision.images.intake import prepare_image
from vision.images.profiles import send_size

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    "{size}>{body}</svg>"
)
FLAT = '<rect width="100%" height="100%" fill="#0000ff"/>'


def drawing(body: str = FLAT, size: str = 'width="300" height="150"', head: str = "") -> bytes:
    return (head + SVG.format(size=size, body=body)).encode()


def test_a_drawing_is_rasterised_at_the_size_the_model_uses():
    prepared = prepare_image(drawing(), model=QWEN)
    # 300×150 CSS px stands for 625×312 at 200 dpi; Qwen's grid of that is what is drawn.
    assert (prepared.original_width, prepared.original_height) == (625, 312)
    assert (prepared.width, prepared.height) == send_size(QWEN, 625, 312)
    assert prepared.original_format == "SVG"
    picture = Image.open(io.BytesIO(prepared.data)).convert("RGB")
    assert picture.getpixel((10, 10)) == (0, 0, 255)


def test_a_drawing_with_only_a_viewbox_keeps_its_shape():
    prepared = prepare_image(drawing(size='viewBox="0 0 400 100"'), model=QWEN)
    assert prepared.original_width / prepared.original_height == pytest.approx(4, abs=0.02)


def hostile(base: str) -> dict[str, bytes]:
    """Drawings that would reach `base` (or this machine's files) if anything followed them."""
    return {
        "image link": drawing(f'<image href="{base}/image.png" width="10" height="10"/>'),
        "xlink": drawing(f'<image xlink:href="{base}/xlink.png" width="10" height="10"/>'),
        "local file": drawing('<image href="/etc/hostname" width="10" height="10"/>'),
        "file url": drawing('<image href="file:///etc/hostname" width="10" height="10"/>'),
        "css fill": drawing(f'<rect width="10" height="10" fill="url({base}/fill.svg#p)"/>'),
        "style sheet": drawing(f"<style>@import url({base}/style.css);</style>{FLAT}"),
        "style url": drawing(f'<rect style="fill:url(&quot;{base}/q.svg#a&quot;)"/>'),
        "use": drawing(f'<use href="{base}/sprite.svg#icon"/>'),
        "entity (XXE)": drawing(
            "&ext;",
            head=f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY ext SYSTEM "{base}/xxe">]>',
        ),
        "billion laughs": drawing(
            "<text>&l3;</text>",
            head='<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "ha"><!ENTITY l1 "&l0;&l0;">'
            '<!ENTITY l2 "&l1;&l1;"><!ENTITY l3 "&l2;&l2;">]>',
        ),
        "external style sheet": drawing(
            head=f'<?xml version="1.0"?><?xml-stylesheet href="{base}/sheet.css"?>'
        ),
        "escaped link": drawing(
            f'<image href="&#x68;ttp://{base.removeprefix("http://")}/escaped.png" width="1" '
            'height="1"/>'
        ),
    }


def test_a_drawing_that_names_anything_outside_itself_is_refused_and_nothing_is_fetched():
    with collector() as (base, seen):
        for name, data in hostile(base).items():
            with pytest.raises(UnsupportedImageError) as caught:
                prepare_image(data, model=QWEN)
            message = str(caught.value)
            assert "outside itself" in message or "XML entities" in message, name
            assert "try again" in message, name
        assert seen == []


def test_the_renderer_itself_fetches_nothing_a_drawing_names():
    # Below the check: resvg given the hostile drawings straight still reaches no server.
    with collector() as (base, seen):
        for data in hostile(base).values():
            with contextlib.suppress(ValueError):  # some it cannot parse at all
                resvg_py.svg_to_bytes(svg_string=data.decode(), width=20, height=10)
        assert seen == []


def test_an_svg_that_is_not_xml_is_one_sentence():
    with pytest.raises(ImageUnreadableError) as caught:
        prepare_image(b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', model=QWEN)
    assert str(caught.value) == (
        "This SVG is not well-formed XML and cannot be drawn; export it again and try again."
    )
