"""Vision Playground core: prepare images, call IO Intelligence vision models, compare answers.

The names below load on first use, so `import vision` (and `python -m vision --help`) loads no
HTTP, image or database library until a script asks for something that needs one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vision.api.client import VisionClient
    from vision.api.request import (
        ChatRequest,
        ImageRef,
        RequestOptions,
        Turn,
    )
    from vision.api.results import ChatResult, ModelInfo, Usage
    from vision.batch.runner import (
        BatchItem,
        BatchJob,
        BatchProgress,
        BatchReport,
        BatchResult,
        ask_batch,
        retry_failed,
    )
    from vision.chat.compare import (
        ModelEvent,
        ModelOutcome,
        compare_models,
        stream_models,
    )
    from vision.errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        CalibrationError,
        ChunkGivenUpError,
        HistoryError,
        ImageError,
        ImageTooLargeError,
        ImageUnreadableError,
        ModelCannotSeeImagesError,
        ModelNotAvailableError,
        NotSentError,
        PaymentRequiredError,
        RateLimitError,
        RequestError,
        ResponseFormatError,
        ServerError,
        StreamError,
        UnsupportedImageError,
        URLBlockedError,
        URLFetchError,
        VisionError,
    )
    from vision.history.records import Run, RunImage, Vote
    from vision.history.replay import rebuild_request
    from vision.history.store import HistoryStore
    from vision.images.intake import prepare_image
    from vision.images.prepared import PreparedImage
    from vision.settings import DEFAULT_BASE_URL, Settings
    from vision.urls.fetch import FetchedImage, fetch_image

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchItem",
    "BatchJob",
    "BatchProgress",
    "BatchReport",
    "BatchResult",
    "CalibrationError",
    "ChatRequest",
    "ChatResult",
    "ChunkGivenUpError",
    "FetchedImage",
    "HistoryError",
    "HistoryStore",
    "ImageError",
    "ImageRef",
    "ImageTooLargeError",
    "ImageUnreadableError",
    "ModelCannotSeeImagesError",
    "ModelEvent",
    "ModelInfo",
    "ModelNotAvailableError",
    "ModelOutcome",
    "NotSentError",
    "PaymentRequiredError",
    "PreparedImage",
    "RateLimitError",
    "RequestError",
    "RequestOptions",
    "ResponseFormatError",
    "Run",
    "RunImage",
    "ServerError",
    "Settings",
    "StreamError",
    "Turn",
    "URLBlockedError",
    "URLFetchError",
    "UnsupportedImageError",
    "Usage",
    "VisionClient",
    "VisionError",
    "Vote",
    "ask_batch",
    "compare_models",
    "fetch_image",
    "prepare_image",
    "rebuild_request",
    "retry_failed",
    "stream_models",
]

# Each public name and the module that defines it.
_HOMES: dict[str, str] = {
    "prepare_image": "vision.images.intake",
    "PreparedImage": "vision.images.prepared",
    "FetchedImage": "vision.urls.fetch",
    "fetch_image": "vision.urls.fetch",
    "ChatRequest": "vision.api.request",
    "ImageRef": "vision.api.request",
    "RequestOptions": "vision.api.request",
    "Turn": "vision.api.request",
    "VisionClient": "vision.api.client",
    "ChatResult": "vision.api.results",
    "ModelInfo": "vision.api.results",
    "Usage": "vision.api.results",
    "ModelEvent": "vision.chat.compare",
    "ModelOutcome": "vision.chat.compare",
    "compare_models": "vision.chat.compare",
    "stream_models": "vision.chat.compare",
    "BatchItem": "vision.batch.runner",
    "BatchJob": "vision.batch.runner",
    "BatchProgress": "vision.batch.runner",
    "BatchReport": "vision.batch.runner",
    "BatchResult": "vision.batch.runner",
    "retry_failed": "vision.batch.runner",
    "ask_batch": "vision.batch.runner",
    "HistoryStore": "vision.history.store",
    "Run": "vision.history.records",
    "RunImage": "vision.history.records",
    "Vote": "vision.history.records",
    "rebuild_request": "vision.history.replay",
    "DEFAULT_BASE_URL": "vision.settings",
    "Settings": "vision.settings",
    "APIConnectionError": "vision.errors",
    "APIError": "vision.errors",
    "APIStatusError": "vision.errors",
    "APITimeoutError": "vision.errors",
    "AuthenticationError": "vision.errors",
    "BadRequestError": "vision.errors",
    "CalibrationError": "vision.errors",
    "ChunkGivenUpError": "vision.errors",
    "HistoryError": "vision.errors",
    "ImageError": "vision.errors",
    "ImageTooLargeError": "vision.errors",
    "ImageUnreadableError": "vision.errors",
    "ModelCannotSeeImagesError": "vision.errors",
    "ModelNotAvailableError": "vision.errors",
    "NotSentError": "vision.errors",
    "PaymentRequiredError": "vision.errors",
    "RateLimitError": "vision.errors",
    "RequestError": "vision.errors",
    "ResponseFormatError": "vision.errors",
    "ServerError": "vision.errors",
    "StreamError": "vision.errors",
    "URLBlockedError": "vision.errors",
    "URLFetchError": "vision.errors",
    "UnsupportedImageError": "vision.errors",
    "VisionError": "vision.errors",
}


def __getattr__(name: str) -> Any:
    """Load a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'vision' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return [*globals(), *__all__]
