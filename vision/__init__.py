"""Vision Playground core: prepare images, call IO Intelligence vision models, compare answers."""

from vision.chat_input import check_model_sees_images
from vision.client import VisionClient
from vision.compare import ModelEvent, ModelOutcome, compare_models, stream_models
from vision.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
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
from vision.fetch import FetchedImage, fetch_image
from vision.intake import prepare_image
from vision.payload import ChatRequest, ImageRef, Turn, build_payload
from vision.prepared import PreparedImage
from vision.profiles import (
    ModelProfile,
    estimate_image_tokens,
    estimate_text_tokens,
    profile_for,
)
from vision.results import ChatResult, ModelInfo, Usage
from vision.settings import DEFAULT_BASE_URL, Settings, install_redaction

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatRequest",
    "ChatResult",
    "FetchedImage",
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
    "PreparedImage",
    "RateLimitError",
    "RequestError",
    "ResponseFormatError",
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
    "build_payload",
    "check_model_sees_images",
    "compare_models",
    "estimate_image_tokens",
    "estimate_text_tokens",
    "fetch_image",
    "install_redaction",
    "prepare_image",
    "profile_for",
    "stream_models",
]
