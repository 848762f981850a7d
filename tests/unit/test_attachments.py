"""The Playground's image bookkeeping: uploads, camera photos and URL lines, in order."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vision.chat.attachments import Attachments, url_lines


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
    kept = Attachments()
    kept.remember_camera_shot(FakeUpload("c1", "camera.jpg", b"shot"))
    kept.remember_camera_shot(FakeUpload("c1", "camera.jpg", b"shot"))  # same photo, kept once
    entries = kept.gather([FakeUpload("u1", "a.png", b"png")], ["https://x.example/p.jpg"])
    assert [entry.kind for entry in entries] == ["file", "camera", "url"]
    assert [entry.label for entry in entries] == ["a.png", "camera.jpg", "p.jpg"]
    assert entries[0].sha256 == hashlib.sha256(b"png").hexdigest()
    assert entries[2].origin == "x.example"


def test_removing_an_image_takes_it_off_wherever_it_came_from():
    url_box = "https://x.example/p.jpg\nhttps://x.example/q.jpg"
    kept = Attachments()
    kept.remember_camera_shot(FakeUpload("c1", "camera.jpg", b"shot"))
    upload = FakeUpload("u1", "a.png", b"png")
    for entry in kept.gather([upload], url_lines(url_box))[:3]:
        url_box = kept.remove(entry.id, url_box) or url_box
    assert url_box == "https://x.example/q.jpg"
    assert kept.removed == {"file:u1"}
    assert kept.gather([upload], url_lines(url_box))[0].label == "q.jpg"


def test_uploads_stay_when_the_uploader_comes_back_empty_after_a_page_switch():
    kept = Attachments()
    photo, chart = FakeUpload("u1", "photo.jpg", b"jpg"), FakeUpload("u2", "chart.png", b"png")
    assert [entry.label for entry in kept.gather([photo, chart], [])] == [
        "photo.jpg",
        "chart.png",
    ]
    # Back from another page: the uploader lists nothing, and no callback ran.
    assert [entry.label for entry in kept.gather([], [])] == ["photo.jpg", "chart.png"]
    # A new upload joins them, in the order added.
    kept.uploader_changed([FakeUpload("u3", "new.webp", b"webp")])
    labels = [entry.label for entry in kept.gather([FakeUpload("u3", "new.webp", b"webp")], [])]
    assert labels == ["photo.jpg", "chart.png", "new.webp"]


def test_a_file_taken_out_of_the_uploaders_list_leaves_the_page():
    kept = Attachments()
    photo, chart = FakeUpload("u1", "photo.jpg", b"jpg"), FakeUpload("u2", "chart.png", b"png")
    kept.gather([photo, chart], [])
    kept.uploader_changed([chart])  # its × pressed on photo.jpg
    assert [entry.label for entry in kept.gather([chart], [])] == ["chart.png"]
    assert "u1" not in kept.uploads
