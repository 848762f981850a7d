"""Vision Playground core: prepare images, call IO Intelligence vision models, compare answers."""

from vision.batch import BatchItem, BatchReport, BatchResult, retry_failed, run_batch
from vision.batch_table import batch_items
from vision.chat_input import check_model_sees_images
from vision.checks import blind_pair, check_answer, leaderboard, pass_rates
from vision.client import VisionClient
from vision.compare import ModelEvent, ModelOutcome, compare_models, stream_models
from vision.conversation import follow_up
from vision.diff import answer_diff, similarity
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
from vision.export import as_curl, as_python, export_csv, export_json, export_markdown
from vision.fetch import FetchedImage, fetch_image
from vision.history import HistoryStore
from vision.intake import prepare_image
from vision.payload import ChatRequest, ImageRef, Turn, build_payload
from vision.preflight import Preflight, preflight, usage_warning
from vision.prepared import PreparedImage
from vision.profiles import (
    ModelProfile,
    estimate_image_tokens,
    estimate_text_tokens,
    profile_for,
)
from vision.replay import rebuild_request
from vision.results import ChatResult, ModelInfo, Usage
from vision.runs import Run, RunImage, Vote
from vision.settings import DEFAULT_BASE_URL, Settings, install_redaction
from vision.thumbnail import thumbnail

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
