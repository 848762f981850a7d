"""What a page's batch needs for its budget estimate (vision.values.batch.BatchSizing): one
pass over its items, remembered per inputs, so a page that runs again on every click does not
read its table again to check the budget."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable

from vision.batch.items.uploads import PageItems
from vision.images.profiles import estimate_text_tokens
from vision.images.sniff import image_size
from vision.values.batch import BatchSizing

# Sizings remembered for the inputs most recently seen: each is a few numbers.
SIZINGS_KEPT = 32

_SIZINGS: OrderedDict[Hashable, BatchSizing] = OrderedDict()
_SIZINGS_LOCK = threading.Lock()


def _inputs(items: PageItems, sizes: list[tuple[int, int] | None]) -> Hashable:
    """Everything the sizing depends on: an upload counts by its name and image size alone."""
    table = (items.table.digest, items.table.expected_column) if items.table else None
    uploads = tuple(zip((upload.name for upload in items.uploads), sizes, strict=True))
    return (table, items.prompt, items.circular, items.urls, uploads)


def page_sizing(items: PageItems) -> BatchSizing:
    """The items' sizing; one pass over them the first time these inputs are seen."""
    sizes = [image_size(upload.data) for upload in items.uploads]  # from each header alone
    key = _inputs(items, sizes)
    with _SIZINGS_LOCK:
        found = _SIZINGS.get(key)
        if found is not None:
            _SIZINGS.move_to_end(key)
            return found
    count = text_tokens = 0
    by_size: Counter[tuple[int, int] | None] = Counter()
    # An item's image is its upload's very bytes object: looked up by identity, not hashed.
    by_upload = {id(upload.data): size for upload, size in zip(items.uploads, sizes, strict=True)}
    for item in items:
        count += 1
        text_tokens += estimate_text_tokens(item.prompt)
        by_size[by_upload.get(id(item.image))] += 1
    sizing = BatchSizing(items=count, text_tokens=text_tokens, sizes=dict(by_size))
    with _SIZINGS_LOCK:
        _SIZINGS[key] = sizing
        while len(_SIZINGS) > SIZINGS_KEPT:
            _SIZINGS.popitem(last=False)
    return sizing
