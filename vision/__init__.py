"""Vision Playground core: prepare images, call IO Intelligence vision models, compare answers.

The names below load on first use, so `import vision` (and `python -m vision --help`) loads no
HTTP, image or database library until a script asks for something that needs one.
"""

import functools as _functools
import importlib as _importlib
import typing as _typing

# The one list of public names: type checkers read these imports, and `__all__` and the lazy
# loader below are read from them, so a name is added in one place.
if _typing.TYPE_CHECKING:
    from vision.api.client import VisionClient as VisionClient
    from vision.batch.running.ask import ask_batch as ask_batch, retry_failed as retry_failed
    from vision.chat.compare import (
        ModelEvent as ModelEvent,
        ModelOutcome as ModelOutcome,
        compare_models as compare_models,
        stream_models as stream_models,
    )
    from vision.errors import (
        AccessError as AccessError,
        APIConnectionError as APIConnectionError,
        APIError as APIError,
        APIStatusError as APIStatusError,
        APITimeoutError as APITimeoutError,
        AuthenticationError as AuthenticationError,
        BadRequestError as BadRequestError,
        BlobStoreError as BlobStoreError,
        BudgetError as BudgetError,
        BudgetStopError as BudgetStopError,
        CalibrationError as CalibrationError,
        ChunkGivenUpError as ChunkGivenUpError,
        EchoPaceError as EchoPaceError,
        GateError as GateError,
        HistoryError as HistoryError,
        ImageError as ImageError,
        ImageTooLargeError as ImageTooLargeError,
        ImageUnreadableError as ImageUnreadableError,
        KeptRunError as KeptRunError,
        KeyFormatError as KeyFormatError,
        ModelCannotSeeImagesError as ModelCannotSeeImagesError,
        ModelNotAvailableError as ModelNotAvailableError,
        NotSentError as NotSentError,
        PartsNeededError as PartsNeededError,
        PaymentRequiredError as PaymentRequiredError,
        RateLimitError as RateLimitError,
        RatingsError as RatingsError,
        ReasoningNotSupportedError as ReasoningNotSupportedError,
        RequestError as RequestError,
        ResponseFormatError as ResponseFormatError,
        ServerError as ServerError,
        SettingsError as SettingsError,
        SignInSetupError as SignInSetupError,
        StreamError as StreamError,
        UnsupportedImageError as UnsupportedImageError,
        URLBlockedError as URLBlockedError,
        URLFetchError as URLFetchError,
        VisionError as VisionError,
    )
    from vision.history.replay import rebuild_request as rebuild_request
    from vision.history.store import HistoryStore as HistoryStore
    from vision.images.intake import prepare_image as prepare_image
    from vision.settings import DEFAULT_BASE_URL as DEFAULT_BASE_URL, Settings as Settings
    from vision.urls.fetch import FetchedImage as FetchedImage, fetch_image as fetch_image
    from vision.values.batch import (
        BatchItem as BatchItem,
        BatchJob as BatchJob,
        BatchProgress as BatchProgress,
        BatchReport as BatchReport,
        BatchResult as BatchResult,
        BatchSettings as BatchSettings,
    )
    from vision.values.image import (
        PartChoice as PartChoice,
        PreparedImage as PreparedImage,
        SourcePart as SourcePart,
    )
    from vision.values.request import (
        ChatRequest as ChatRequest,
        ImageRef as ImageRef,
        Reasoning as Reasoning,
        RequestOptions as RequestOptions,
        Turn as Turn,
    )
    from vision.values.result import (
        ChatResult as ChatResult,
        ModelInfo as ModelInfo,
        ReasoningDelta as ReasoningDelta,
        Usage as Usage,
    )
    from vision.values.run import Run as Run, RunImage as RunImage, Vote as Vote


@_functools.cache
def _homes() -> dict[str, str]:
    """Each public name and the module that defines it, from the imports above."""
    # Imported here: `import vision` alone (the CLI's start) never parses anything.
    import ast as _ast
    from pathlib import Path as _Path

    tree = _ast.parse(_Path(__file__).read_text(encoding="utf-8"))
    listed = next(node for node in tree.body if isinstance(node, _ast.If))
    return {
        alias.name: str(statement.module)
        for statement in listed.body
        if isinstance(statement, _ast.ImportFrom)
        for alias in statement.names
    }


def _public_names() -> list[str]:
    """The public names, constants first, then alphabetically."""
    return sorted(_homes(), key=lambda name: (not name.isupper(), name))


def __getattr__(name: str) -> _typing.Any:
    """Load a public name from its module the first time it is asked for."""
    if name == "__all__":
        value: _typing.Any = _public_names()
    else:
        home = _homes().get(name)
        if home is None:
            raise AttributeError(f"module 'vision' has no attribute {name!r}")
        value = getattr(_importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_public_names()})
