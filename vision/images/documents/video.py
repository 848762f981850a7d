"""Video frames through FFmpeg (PyAV): the container named from the file's first bytes, the
stream checked (a video stream, its length, its frame size) before any frame is decoded, and
each frame taken at its time within one deadline."""

from __future__ import annotations

import io
import time
from typing import Any

import av
from PIL import Image

from vision.errors import (
    ImageError,
    ImageTooLargeError,
    ImageUnreadableError,
    UnsupportedImageError,
)
from vision.images.documents.kinds import video_container
from vision.limits import (
    MAX_DECODE_PIXELS,
    MAX_FRAMES,
    MAX_SIDE_PX,
    MAX_VIDEO_SECONDS,
    VIDEO_DECODE_DEADLINE_S,
)
from vision.values.image import PartKind, SourcePart, clock

_NAMES = {"mp4": "MP4", "matroska": "MKV", "avi": "AVI"}
# What can go wrong inside FFmpeg or PyAV on a hostile or broken file.
_FAILURES: tuple[type[BaseException], ...] = (
    av.FFmpegError,
    OSError,
    ValueError,
    EOFError,
    MemoryError,
    RuntimeError,
    IndexError,
    TypeError,
)
DAMAGED = "This video is damaged and cannot be read; export it again (as MP4) and try again."


def _refuse_nested(url: str, flags: int, options: dict[str, Any]) -> Any:
    """Any file or address a video names inside itself is never opened."""
    raise OSError(f"a video may not open {url!r}")


class VideoFrames:
    """A video opened to take frames at chosen times; its stream is checked on opening."""

    kind: PartKind | None = "video"
    lossless = False

    def __init__(self, data: bytes, *, deadline_s: float = VIDEO_DECODE_DEADLINE_S) -> None:
        container = video_container(data)
        if container is None:
            raise UnsupportedImageError(
                "This file is not a video read here; export it as MP4, WebM or MKV and try again."
            )
        self.format = "WebM" if b"webm" in data[:64] else _NAMES[container]
        self._deadline = time.monotonic() + deadline_s
        try:
            self._file = av.open(
                io.BytesIO(data),
                "r",
                format=container,
                io_open=_refuse_nested,
                metadata_errors="ignore",
            )
        except _FAILURES:
            raise ImageUnreadableError(DAMAGED) from None
        try:
            self._check()
        except ImageError:
            self._file.close()
            raise
        except _FAILURES:
            self._file.close()
            raise ImageUnreadableError(DAMAGED) from None

    def _check(self) -> None:
        if not self._file.streams.video:
            raise UnsupportedImageError(
                "This file holds no video picture (sound or data only); choose a video with "
                "pictures, or export a still image from it."
            )
        self._stream = self._file.streams.video[0]
        context = self._stream.codec_context
        width, height = int(context.width or 0), int(context.height or 0)
        if width < 1 or height < 1:
            raise ImageUnreadableError(DAMAGED)
        if width * height > MAX_DECODE_PIXELS or max(width, height) > 2 * MAX_SIDE_PX:
            raise ImageTooLargeError(
                f"This video's frames are {width}×{height} pixels, too large to decode "
                "safely; export it at 4K or less and try again."
            )
        self._size = (width, height)
        duration = self._seconds()
        if duration is None or duration <= 0:
            raise ImageUnreadableError(
                "This video does not say how long it is, so its frames cannot be chosen; "
                "export it again as MP4 and try again."
            )
        if duration > MAX_VIDEO_SECONDS:
            raise ImageTooLargeError(
                f"This video lasts {clock(duration)}, longer than the "
                f"{clock(MAX_VIDEO_SECONDS)} read here; cut the part you need and try again."
            )
        self.duration_s: float | None = duration
        self.count = int(self._stream.frames or 0)
        start, base = self._stream.start_time, self._stream.time_base
        self._start_s = float(start * base) if start is not None and base is not None else 0.0
        # A phone's portrait video is stored sideways with a display matrix on its frames.
        self._rotation = int(self._frame_at(0.0).rotation or 0) % 360

    def _seconds(self) -> float | None:
        stream = self._stream
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if self._file.duration is not None:
            return self._file.duration / av.time_base
        return None

    def close(self) -> None:
        """Let go of the file."""
        self._file.close()

    def size(self, part: SourcePart | None) -> tuple[int, int]:
        """The frame size, turned as the video says it is shown (a phone's portrait video)."""
        width, height = self._size
        return (height, width) if self._turned() else (width, height)

    def _turned(self) -> bool:
        return self._rotation % 180 == 90

    def _frame_at(self, seconds: float) -> av.VideoFrame:
        """The frame shown at `seconds` from the start, decoded from the keyframe before it."""
        stream = self._stream
        assert stream.time_base is not None
        wanted = self._start_s + max(0.0, seconds)
        try:
            self._file.seek(int(wanted / stream.time_base), stream=stream, backward=True)
            shown: av.VideoFrame | None = None
            for decoded, frame in enumerate(self._file.decode(stream), start=1):
                if time.monotonic() > self._deadline:
                    raise ImageTooLargeError(
                        f"Taking frames from this video took longer than "
                        f"{VIDEO_DECODE_DEADLINE_S:.0f} s; choose fewer frames, or export a "
                        "shorter or smaller video, and try again."
                    )
                if decoded > MAX_FRAMES:
                    raise ImageTooLargeError(
                        f"The frame at {clock(seconds)} lies more than {MAX_FRAMES:,} frames "
                        "after the keyframe before it; export the video again (any editor "
                        "adds keyframes) and try again."
                    )
                if frame.time is not None and frame.time > wanted + 1e-6 and shown is not None:
                    return shown
                shown = frame
        except ImageError:
            raise
        except _FAILURES:
            raise ImageUnreadableError(DAMAGED) from None
        if shown is None:
            raise ImageUnreadableError(
                f"This video has no frame at {clock(seconds)}; choose an earlier time."
            )
        return shown

    def render(self, part: SourcePart | None, size: tuple[int, int]) -> Image.Image:
        """The frame at the part's time, scaled by FFmpeg to exactly `size`, upright."""
        seconds = 0.0 if part is None or part.time_s is None else part.time_s
        frame = self._frame_at(seconds)
        turned = self._turned()
        width, height = (size[1], size[0]) if turned else size
        try:
            picture: Image.Image = frame.to_image(  # type: ignore[no-untyped-call]
                width=width, height=height, interpolation="AREA"
            )
        except _FAILURES:
            raise ImageUnreadableError(DAMAGED) from None
        if self._rotation:
            # The display matrix turns counter-clockwise, as Pillow's rotate does.
            picture = picture.rotate(self._rotation, expand=True)
        return picture
