"""Multi-page TIFFs, videos and animations as pages and frames: each taken at its number or time,
with the frame cap, the length, the deadline and streams without pictures refused in a sentence."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.documents import (
    animated_gif,
    second_colour,
    sound_only_bytes,
    tiff_bytes,
    video_bytes,
)
from tests.support.models import LLAMA, QWEN
from vision.errors import (
    ImageError,
    ImageTooLargeError,
    PartsNeededError,
    RequestError,
    UnsupportedImageError,
)
from vision.images.documents import video as video_module
from vision.images.documents.choice import choose_parts, even_times, parse_times
from vision.images.documents.opening import describe_document, open_pages
from vision.images.documents.video import VideoFrames
from vision.images.intake import prepare_image
from vision.limits import MAX_FRAMES
from vision.values.image import PartChoice, SourcePart, clock

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def colour_of(data: bytes, at: tuple[int, int] = (8, 8)) -> tuple[int, ...]:
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel(at)


def near(found: tuple[int, ...], wanted: tuple[int, ...], within: int = 12) -> bool:
    return all(abs(a - b) <= within for a, b in zip(found, wanted, strict=True))


@pytest.fixture(scope="module")
def clip() -> bytes:
    """A 30-second video, 10 frames a second, each second its own colour."""
    return video_bytes(30)


# TIFF


def test_each_page_of_a_multi_page_tiff_is_its_own_image():
    scan = tiff_bytes([RED, GREEN, BLUE])
    facts = describe_document(scan)
    assert facts is not None
    assert facts.summary == "a TIFF of 3 pages"
    for index, colour in enumerate((RED, GREEN, BLUE)):
        part = (SourcePart(kind="tiff", index=index),)
        prepared = prepare_image(scan, model=QWEN, parts=part)
        assert colour_of(prepared.data) == colour
        assert prepared.parts[0].label == f"page {index + 1} of 3"
        assert prepared.original_format == "TIFF"
    with pytest.raises(PartsNeededError):
        prepare_image(scan, model=QWEN)


def test_a_one_page_tiff_is_sent_like_any_image_now():
    prepared = prepare_image(tiff_bytes([GREEN], size=(700, 600)), model=QWEN)
    assert (prepared.original_width, prepared.original_height) == (700, 600)
    assert colour_of(prepared.data) == GREEN


def test_a_tiff_with_more_pages_than_the_cap_is_refused():
    many = tiff_bytes([RED] * (MAX_FRAMES + 1), size=(4, 4))
    with pytest.raises(ImageTooLargeError) as caught:
        prepare_image(many, model=QWEN, parts=(SourcePart(kind="tiff", index=0),))
    assert str(caught.value) == (
        f"This TIFF has more than {MAX_FRAMES:,} pages, more than are read here; save the "
        "pages you need as a smaller file and try again."
    )


# Video


def test_frames_spread_evenly_are_the_middle_of_equal_spans():
    assert even_times(30.0, 3) == (5.0, 15.0, 25.0)
    assert even_times(8.0, 4) == (1.0, 3.0, 5.0, 7.0)


def test_a_frame_at_a_time_shows_that_moment_of_the_video(clip):
    for seconds in (0.0, 5.0, 12.5, 29.5):
        part = (SourcePart(kind="video", index=0, count=1, time_s=seconds),)
        prepared = prepare_image(clip, model=QWEN, parts=part)
        assert near(colour_of(prepared.data), second_colour(int(seconds)))
        assert prepared.parts[0].time_s == seconds
        assert prepared.original_format == "MP4"
        assert (prepared.original_width, prepared.original_height) == (320, 240)


def test_eight_frames_by_default_each_with_its_time(clip):
    pages = open_pages(clip)
    chosen = choose_parts(pages, PartChoice())
    assert [part.time_s for part in chosen.parts] == [
        pytest.approx(30 * (index + 0.5) / 8, abs=0.001) for index in range(8)
    ]
    assert chosen.parts[1].label == "frame at 0:05.6 (2 of 8)"
    with pytest.raises(PartsNeededError) as caught:
        prepare_image(clip, model=QWEN)
    assert "This is a video; choose frames to send" in str(caught.value)


def test_frames_at_chosen_times_and_the_ten_image_limit(clip):
    pages = open_pages(clip)
    chosen = choose_parts(pages, PartChoice(times=parse_times("0:05,0:10,1:00"[:9])))
    assert [part.tile for part in chosen.parts] == ["0:05", "0:10"]
    with pytest.raises(RequestError) as caught:
        choose_parts(pages, PartChoice(times=(45.0,)))
    assert str(caught.value) == (
        "This video lasts 0:30; there is nothing at 0:45. Choose times up to 0:30."
    )
    twelve = choose_parts(pages, PartChoice(frames=12))
    assert len(twelve.parts) == 10
    assert twelve.note == (
        "10 of the 12 frames asked were taken (evenly): a request takes at most 10 images. "
        "Ask for 10 or fewer, or choose times."
    )


def test_times_read_as_a_player_shows_them():
    assert parse_times("0:05, 1:02:03.5,12.5") == (5.0, 3723.5, 12.5)
    assert [clock(seconds) for seconds in (5.0, 3723.5, 0.25)] == ["0:05", "1:02:03.5", "0:00.2"]
    with pytest.raises(RequestError) as caught:
        parse_times("five")
    assert "is not a time" in str(caught.value)


def test_a_video_stitched_for_llama_labels_each_tile_with_its_time(clip):
    chosen = choose_parts(open_pages(clip), PartChoice(frames=4))
    grid = prepare_image(clip, model=LLAMA, parts=chosen.parts)
    assert (grid.width, grid.height) == (1120, 1120)
    assert [cell.label for cell in grid.cells] == ["0:03.8", "0:11.2", "0:18.8", "0:26.2"]
    for cell, part in zip(grid.cells, chosen.parts, strict=True):
        middle = (cell.left + cell.width // 2, cell.top + cell.height // 2)
        assert near(colour_of(grid.data, middle), second_colour(int(part.time_s or 0)), 20)


def test_a_webm_video_is_read_too():
    webm = video_bytes(3, container="webm", codec="libvpx")
    facts = describe_document(webm)
    assert facts is not None
    assert facts.summary == "a WebM video of 0:03"
    part = (SourcePart(kind="video", index=0, count=1, time_s=2.5),)
    assert near(colour_of(prepare_image(webm, model=QWEN, parts=part).data), second_colour(2), 20)


def test_a_file_of_sound_only_is_refused():
    with pytest.raises(UnsupportedImageError) as caught:
        describe_document(sound_only_bytes())
    assert str(caught.value) == (
        "This file holds no video picture (sound or data only); choose a video with pictures, "
        "or export a still image from it."
    )


def test_a_video_longer_than_the_limit_is_refused_before_decoding(monkeypatch, clip):
    monkeypatch.setattr(video_module, "MAX_VIDEO_SECONDS", 20)
    with pytest.raises(ImageTooLargeError) as caught:
        open_pages(clip)
    assert str(caught.value) == (
        "This video lasts 0:30, longer than the 0:20 read here; cut the part you need and "
        "try again."
    )


def test_taking_frames_past_the_deadline_stops_with_a_sentence(clip):
    with pytest.raises(ImageTooLargeError) as caught:
        VideoFrames(clip, deadline_s=0.0)
    assert "Taking frames from this video took longer than 30 s" in str(caught.value)


# Animations


def test_an_animation_sends_its_first_frame_unless_frames_are_asked():
    gif = animated_gif([RED, GREEN, BLUE, (255, 255, 0)], delay_ms=500)
    first = prepare_image(gif, model=QWEN)
    assert colour_of(first.data) == RED
    assert first.parts == ()
    pages = open_pages(gif, animation=True)
    chosen = choose_parts(pages, PartChoice(frames=2))
    assert [part.label for part in chosen.parts] == [
        "frame 2 of 4 at 0:00.5",
        "frame 4 of 4 at 0:01.5",
    ]
    second = prepare_image(gif, model=QWEN, parts=chosen.parts[:1])
    assert colour_of(second.data) == GREEN
    at = choose_parts(pages, PartChoice(times=(1.2,)))
    assert at.parts[0].number == 3


@pytest.mark.parametrize("kept", [0.02, 0.5])
def test_a_damaged_video_is_one_sentence(clip, kept):
    cut = clip[: int(len(clip) * kept)]
    with pytest.raises(ImageError) as caught:
        prepare_image(cut, model=QWEN, parts=(SourcePart(kind="video", index=0, time_s=20.0),))
    assert str(caught.value).endswith("try again.")
