"""The page's image bookkeeping, on a plain dict standing in for st.session_state."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ui.state import (
    REMOVED_KEY,
    URL_KEY,
    gather_images,
    remember_camera_shot,
    remove_image,
    url_lines,
)


@dataclass
class FakeUpload:
    file_id: str
    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


def test_url_lines_skip_blanks_and_repeats_in_order():
    text = " https://a.example/1.jpg \n\nhttps://b.example/2.png\nhttps://a.example/1.jpg\n"
    assert url_lines(text) == ["https://a.example/1.jpg", "https://b.example/2.png"]
    assert url_lines(None) == []


def test_images_come_from_uploads_camera_and_urls_in_that_order():
    state: dict = {}
    remember_camera_shot(state, FakeUpload("c1", "camera.jpg", b"shot"))
    remember_camera_shot(state, FakeUpload("c1", "camera.jpg", b"shot"))  # same photo, kept once
    entries = gather_images(state, [FakeUpload("u1", "a.png", b"png")], ["https://x.example/p.jpg"])
    assert [entry.kind for entry in entries] == ["file", "camera", "url"]
    assert [entry.label for entry in entries] == ["a.png", "camera.jpg", "p.jpg"]
    assert entries[0].sha256 == hashlib.sha256(b"png").hexdigest()
    assert entries[2].origin == "x.example"


def test_removing_an_image_takes_it_off_wherever_it_came_from():
    state: dict = {URL_KEY: "https://x.example/p.jpg\nhttps://x.example/q.jpg"}
    remember_camera_shot(state, FakeUpload("c1", "camera.jpg", b"shot"))
    upload = FakeUpload("u1", "a.png", b"png")
    for entry in gather_images(state, [upload], url_lines(state[URL_KEY]))[:3]:
        remove_image(state, entry.id)
    assert state[URL_KEY] == "https://x.example/q.jpg"
    assert state[REMOVED_KEY] == {"file:u1"}
    assert gather_images(state, [upload], url_lines(state[URL_KEY]))[0].label == "q.jpg"
