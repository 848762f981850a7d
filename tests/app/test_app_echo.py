"""The echo the app starts for people without a key: nobody without its key can read what it
received, and it keeps no prompt or image at all."""

from __future__ import annotations

import requests

from tests.support.images import make_image
from tests.support.pages import shows
from tests.support.playground_page import send, upload
from ui.shared.backend import echo_backend

PROMPT = "Read the account number on this private letter."


def test_the_apps_echo_keeps_no_prompt_or_image_and_shows_its_log_only_with_its_key(app):
    at = app(key=None)
    assert at.toggle(key="use_echo").value
    upload(at, ("letter.png", make_image("PNG", (600, 600)), "image/png"))
    at.text_area(key="prompt").set_value(PROMPT).run()
    send(at)
    assert shows(at, "[echo backend — no model ran]")

    backend = echo_backend()  # the same process-wide echo the page used
    log_url = backend.base_url.replace("/v1", "/_echo/requests")
    assert requests.get(log_url, timeout=10).status_code == 401
    assert requests.delete(log_url, timeout=10).status_code == 401
    listing = requests.get(
        log_url, headers={"Authorization": f"Bearer {backend.api_key}"}, timeout=10
    )
    assert listing.status_code == 200
    chats = [entry for entry in listing.json() if entry["path"].endswith("/chat/completions")]
    assert len(chats) >= 2  # one per model
    assert all(entry["body"] is None and entry["status"] == 200 for entry in chats)
    assert PROMPT not in listing.text
    assert "base64" not in listing.text
