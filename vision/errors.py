"""The one exception tree of the package: every error's str() is a sentence a user can act on."""

from __future__ import annotations

from typing import TypeVar

E = TypeVar("E", bound=BaseException)


class VisionError(Exception):
    """Base of every error the app shows; str(err) says what happened and what to do."""


def without_traceback(err: E) -> E:
    """The error with its traceback dropped, to keep as a value (no frames stay alive)."""
    err.__traceback__ = None
    return err


# Image errors: raised before anything is sent.


class ImageError(VisionError, ValueError):
    """The image cannot be sent as it is."""


class UnsupportedImageError(ImageError):
    """The bytes are not an image format the API accepts (JPEG, PNG, WEBP, static GIF)."""


class ImageTooLargeError(ImageError):
    """The image is over a byte or pixel limit and cannot be brought under it."""


class ImageUnreadableError(ImageError):
    """The bytes claim to be an image but cannot be decoded (corrupt, truncated, a bomb)."""


class PartsNeededError(ImageError):
    """A document or video of several pages or frames, given without saying which to send."""


class URLBlockedError(ImageError):
    """An image URL was refused before any connection (scheme, address, redirect)."""


class URLFetchError(ImageError):
    """An image URL could not be fetched (network, status, size, deadline)."""


# Request errors: the request as a whole cannot be sent.


class RequestError(VisionError, ValueError):
    """The request is invalid before it reaches the network (too many images, no prompt)."""


class ModelCannotSeeImagesError(RequestError):
    """Images were about to go to a model that does not accept image input."""


class ReasoningNotSupportedError(RequestError):
    """A reasoning effort was about to go to a model that does not reason."""


class EchoPaceError(RequestError):
    """A pace asked of the echo (in its base URL, …/pace/TTFT/TPS/v1) cannot be used."""


class KeyFormatError(VisionError, ValueError):
    """A pasted API key is not shaped like a key (a word, a sentence, part of a key)."""


# API errors: the server could not be reached or did not answer as expected.


class APIError(VisionError):
    """The server could not be reached, or did not answer as expected."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class APIConnectionError(APIError):
    """No HTTP response arrived (DNS failure, refused or reset connection)."""


class APITimeoutError(APIConnectionError):
    """The server did not answer within the connect, read or overall deadline."""


class APIStatusError(APIError):
    """The server answered with a non-2xx status."""


class AuthenticationError(APIStatusError):
    """401 or 403: the API key is missing, wrong or not allowed."""


class PaymentRequiredError(APIStatusError):
    """402, or a 429 about quota or credits: the account cannot pay for this request."""


class RateLimitError(APIStatusError):
    """429 after the retries ran out."""


class BadRequestError(APIStatusError):
    """400, 404, 413 or 422: the server rejected the model or the payload."""


class ModelNotAvailableError(BadRequestError):
    """The server does not serve the requested model."""


class ServerError(APIStatusError):
    """5xx after the retries ran out."""


class ResponseFormatError(APIError):
    """A 2xx answer that is not a chat completion we can read."""


class NotSentError(VisionError):
    """A request held back before it left (a daily budget): it may be asked again later."""


class StreamError(APIError):
    """The server reported an error in the middle of a streamed answer."""

    # The text that arrived before the error, so a UI can keep showing it.
    partial_text: str = ""


# Local storage errors.


class KeptRunError(VisionError):
    """A run kept in the history ended in this error (its sentence, as it was saved)."""


class HistoryError(VisionError):
    """The history file cannot be opened, read or written (locked, corrupt, newer, no space)."""


class BlobStoreError(HistoryError):
    """The store of kept originals (a folder, or S3-compatible object storage) cannot be set up,
    read or written."""


class CalibrationError(VisionError):
    """Image-cost measurements cannot be taken, read or kept (no usage reported, bad file)."""


# Statistics.


class RatingsError(VisionError):
    """Votes could not be turned into Bradley-Terry ratings."""


# Queued batches.


class ChunkGivenUpError(VisionError):
    """A queued batch's chunk failed (or crashed its worker) on every attempt allowed, so its
    items were left unanswered; --retry-errors asks them again."""


# Configuration.


class SettingsError(VisionError):
    """The app's configuration (the environment, secrets.toml) cannot be read or used."""


class SignInSetupError(SettingsError):
    """Something says the app serves a team, but its sign-in ([auth]) is missing or incomplete."""


class AccessError(SettingsError):
    """The allow-list ([access]) cannot be used as written."""


class GateError(SettingsError):
    """The replica's limits on requests in flight are misconfigured."""


# A team's daily budgets.


class BudgetError(VisionError):
    """A request would pass a daily budget of the team's key, or budgets are misconfigured."""


class BudgetStopError(BudgetError, NotSentError):
    """A request not sent because a daily budget is used up or it would pass one; a batch asks
    it again when resumed."""
