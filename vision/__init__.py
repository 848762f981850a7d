"""Vision Playground core: prepare images, call IO Intelligence vision models, compare answers."""

from vision.api.arguments import check_model_sees_images
from vision.api.client import VisionClient
from vision.api.request import ChatRequest, ImageRef, Turn, build_payload
from vision.api.results import ChatResult, ModelInfo, Usage
from vision.batch.inputs import batch_items
from vision.batch.runner import BatchItem, BatchReport, BatchResult, retry_failed, run_batch
from vision.chat.compare import ModelEvent, ModelOutcome, compare_models, stream_models
from vision.chat.diff import answer_diff, similarity
from vision.chat.follow_up import follow_up
from vision.chat.preflight import Preflight, preflight, usage_warning
from vision.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    HistoryError,
    ImageError,
    ImageTooLargeError,
    ImageUnreadableError,
    ModelCannotSeeImagesError,
    ModelNotAvailableError,
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
from vision.history.export import as_curl, as_python, export_csv, export_json, export_markdown
from vision.history.records import Run, RunImage, Vote
from vision.history.replay import rebuild_request
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.images.prepared import PreparedImage
from vision.images.profiles import (
    ModelProfile,
    estimate_image_tokens,
    estimate_text_tokens,
    profile_for,
)
from vision.images.thumbnail import thumbnail
from vision.scoring.checks import blind_pair, check_answer, leaderboard, pass_rates
from vision.settings import DEFAULT_BASE_URL, Settings, install_redaction
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
    "BatchReport",
    "BatchResult",
    "ChatRequest",
    "ChatResult",
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
    "ModelProfile",
    "PaymentRequiredError",
    "Preflight",
    "PreparedImage",
    "RateLimitError",
    "RequestError",
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
    "answer_diff",
    "as_curl",
    "as_python",
    "batch_items",
    "blind_pair",
    "build_payload",
    "check_answer",
    "check_model_sees_images",
    "compare_models",
    "estimate_image_tokens",
    "estimate_text_tokens",
    "export_csv",
    "export_json",
    "export_markdown",
    "fetch_image",
    "follow_up",
    "install_redaction",
    "leaderboard",
    "pass_rates",
    "preflight",
    "prepare_image",
    "profile_for",
    "rebuild_request",
    "retry_failed",
    "run_batch",
    "similarity",
    "stream_models",
    "thumbnail",
    "usage_warning",
]
