"""The Batch page in a real browser: opened with images in its Images uploader."""

from __future__ import annotations

from playwright.sync_api import Page

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# The Images uploader takes several files; the table's uploader beside it takes one.
IMAGES_UPLOADER = "[data-testid='stFileUploaderDropzoneInput'][multiple]"


def open_batch_with_images(
    page: Page, app_url: str, height: int, *images: tuple[str, str, bytes]
) -> None:
    """Open the Batch page 1440 px wide and this tall, then upload these (name, MIME type,
    bytes) images."""
    page.set_viewport_size({"width": 1440, "height": height})
    page.goto(f"{app_url}/batch")
    page.wait_for_selector(IDLE, timeout=30_000)
    page.locator(IMAGES_UPLOADER).first.set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data} for name, mime, data in images]
    )
