"""Batch items from this machine's files: a folder of images, or a CSV naming paths or URLs."""

from __future__ import annotations

from pathlib import Path

from vision.batch.inputs import TableRow, table_rows
from vision.batch.runner import BatchItem
from vision.errors import RequestError
from vision.images.sources import read_source
from vision.urls.shape import is_http_url

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ".avif", ".bmp", ".tif", ".tiff"}
)


def _item(row: TableRow, base: Path, prompt: str, tag: str | None) -> BatchItem:
    """A CSV row as an item: a URL stays a URL, a path is read relative to the CSV's folder."""
    image = row.source if is_http_url(row.source) else read_source(str(base / row.source))
    return BatchItem(
        image=image,
        prompt=row.prompt or prompt,
        name=row.source,
        expected=row.expected,
        tag=row.tag or tag,
    )


def _items_from_table(path: Path, prompt: str, tag: str | None) -> list[BatchItem]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RequestError(
            f"{path} is not UTF-8 text; save it as a UTF-8 CSV and run again."
        ) from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise RequestError(f"Cannot read {path}: {reason}; check the file and run again.") from None
    rows = table_rows(text)
    if not rows:
        raise RequestError(f"{path} lists no images; add one path or URL per line and run again.")
    return [_item(row, path.parent, prompt, tag) for row in rows]


def load_items(source: str, prompt: str, *, tag: str | None = None) -> list[BatchItem]:
    """Items from a folder, or a CSV/list (columns image or url, prompt, expected, tag)."""
    path = Path(source).expanduser()
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        items = [
            BatchItem(image=read_source(str(p)), prompt=prompt, name=p.name, tag=tag) for p in files
        ]
    elif path.is_file():
        items = _items_from_table(path, prompt, tag)
    else:
        raise RequestError(f"{source} is neither a folder nor a CSV file; check the path.")
    if not items:
        raise RequestError(f"No images found in {source}; add JPEG, PNG, WEBP or GIF files.")
    return items
