"""fetch_image against a real HTTP server on 127.0.0.1: images, redirects, caps, deadlines."""

from __future__ import annotations

import time

import pytest

from tests.support.hostile_server import HEADER_DRIP_S, PNG, fetch
from vision import URLBlockedError, URLFetchError
from vision.images.sniff import sniff_image

pytestmark = pytest.mark.usefixtures("loopback_only")


def test_a_png_is_fetched_as_sent(image_server):
    fetched = fetch(image_server.url("/cat.png"))
    assert fetched.data == PNG
    assert sniff_image(fetched.data).format == "PNG"
    assert fetched.content_type == "image/png"
    assert fetched.final_url == fetched.url == image_server.url("/cat.png")
    assert fetched.redirects == 0
    assert "data" not in repr(fetched)


def test_a_page_that_is_not_an_image_is_still_returned_for_intake_to_judge(image_server):
    fetched = fetch(image_server.url("/text"))
    assert fetched.content_type == "text/html"
    assert fetched.data.startswith(b"<html>")


def test_404_is_a_sentence(image_server):
    with pytest.raises(URLFetchError) as caught:
        fetch(image_server.url("/missing.png"))
    assert str(caught.value) == (
        "The server answered 404 Not Found for this image URL; "
        "check that the link opens in a browser."
    )


def test_two_redirects_are_followed(image_server):
    fetched = fetch(image_server.url("/hop/1"))
    assert fetched.data == PNG
    assert fetched.redirects == 2
    assert fetched.final_url == image_server.url("/cat.png")
    assert image_server.paths == ["/hop/1", "/hop/0", "/cat.png"]


def test_three_redirects_are_the_most_followed(image_server):
    assert fetch(image_server.url("/hop/2")).redirects == 3


def test_a_fourth_redirect_is_refused_without_following_it(image_server):
    with pytest.raises(URLFetchError, match="redirected more than 3 times"):
        fetch(image_server.url("/hop/3"))
    assert image_server.paths == ["/hop/3", "/hop/2", "/hop/1", "/hop/0"]


def test_a_redirect_loop_ends(image_server):
    with pytest.raises(URLFetchError, match="redirected more than 3 times"):
        fetch(image_server.url("/loop"))
    assert len(image_server.seen) == 4


def test_an_absolute_redirect_to_another_loopback_name_is_followed(image_server):
    fetched = fetch(image_server.url("/absolute-hop"))
    assert fetched.final_url == f"http://localhost:{image_server.port}/cat.png"
    assert image_server.seen[-1].headers["Host"] == f"localhost:{image_server.port}"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/to-metadata",
            "The image URL redirected to a link-local or cloud-metadata address "
            "(169.254.169.254); only public images can be fetched.",
        ),
        ("/to-mapped-metadata", "(169.254.169.254)"),
        ("/to-private", "a private network address (10.0.0.5)"),
        ("/to-file", "not file: ones"),
        ("/to-gopher", "not gopher: ones"),
        ("/to-userinfo", "user name or password"),
    ],
)
def test_a_redirect_to_a_forbidden_place_is_refused_without_connecting(
    image_server, loopback_only, path, message
):
    with pytest.raises(URLBlockedError) as caught:
        fetch(image_server.url(path))
    assert message in str(caught.value)
    assert len(loopback_only) == 1  # only the first hop, to the test server
    assert image_server.paths == [path]


def test_a_redirect_without_location_is_a_sentence(image_server):
    with pytest.raises(URLFetchError, match="without saying where the image moved"):
        fetch(image_server.url("/no-location"))


def test_a_redirect_body_is_never_read(image_server):
    # requests' Session.send would drain this endless 302 body; we close it unread.
    fetched = fetch(image_server.url("/redirect-with-endless-body"), deadline_s=10)
    assert fetched.data == PNG


def test_a_declared_length_over_the_cap_is_refused_before_reading(image_server):
    with pytest.raises(URLFetchError, match="larger than the 20 MB limit"):
        fetch(image_server.url("/declares-huge"), deadline_s=20)


def test_an_endless_body_is_cut_at_the_cap(image_server):
    with pytest.raises(URLFetchError, match="larger than the 100 KB limit; use a smaller image"):
        fetch(image_server.url("/endless"), max_bytes=100_000)


def test_a_body_at_exactly_the_cap_is_accepted(image_server):
    assert fetch(image_server.url("/cat.png"), max_bytes=len(PNG)).data == PNG
    with pytest.raises(URLFetchError, match="larger than"):
        fetch(image_server.url("/cat.png"), max_bytes=len(PNG) - 1)


def test_a_slow_drip_is_stopped_at_the_overall_deadline(image_server):
    # Every byte arrives well within the 10 s read timeout; only the overall deadline stops it.
    with pytest.raises(URLFetchError, match="took too long to download"):
        fetch(image_server.url("/drip"), deadline_s=1.0)


def test_headers_sent_a_byte_at_a_time_are_stopped_at_the_overall_deadline(image_server):
    # Each header byte arrives well within the 10 s read timeout: only one deadline over the
    # whole exchange, headers included, stops this.
    assert HEADER_DRIP_S < 10
    started = time.monotonic()
    with pytest.raises(URLFetchError) as caught:
        fetch(image_server.url("/slow-headers"), deadline_s=2.0)
    assert time.monotonic() - started < 2.0 + 1.0
    assert str(caught.value) == (
        "The image took too long to download; try again later or use another link."
    )


@pytest.mark.parametrize("path", ["/header-flood", "/many-headers"])
def test_headers_larger_than_an_image_needs_are_refused(image_server, path):
    with pytest.raises(URLFetchError) as caught:
        fetch(image_server.url(path))
    assert str(caught.value) == (
        "The server 127.0.0.1 sent more headers than an image needs (over 64 KiB, or over 100 "
        "of them); use another link."
    )


def test_large_headers_within_the_cap_are_read(image_server):
    assert fetch(image_server.url("/big-headers")).data == PNG


def test_a_compressed_body_is_refused(image_server):
    with pytest.raises(URLFetchError, match=r"compressed \(gzip\)"):
        fetch(image_server.url("/gzip"))
    assert image_server.seen[-1].headers["Accept-Encoding"] == "identity"
