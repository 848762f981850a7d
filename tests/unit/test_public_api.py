"""What `import vision` offers a script: a pinned list of names, each loading on first use."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import vision
from vision import errors

PUBLIC = {
    # prepare an image (or a page or frame of a document or video), and fetch one safely
    "prepare_image", "PreparedImage", "SourcePart", "PartChoice", "fetch_image", "FetchedImage",
    # the client, its requests and its results
    "VisionClient", "ChatRequest", "ImageRef", "Turn", "RequestOptions", "Reasoning",
    "ChatResult", "ReasoningDelta", "Usage", "ModelInfo", "Settings", "DEFAULT_BASE_URL",
    # several models at once
    "compare_models", "stream_models", "ModelOutcome", "ModelEvent",
    # batches
    "ask_batch", "retry_failed", "BatchItem", "BatchJob", "BatchProgress", "BatchReport",
    "BatchResult", "BatchSettings",
    # the history
    "HistoryStore", "Run", "RunImage", "Vote", "rebuild_request",
}  # fmt: skip


def test_all_is_exactly_the_public_names_and_the_whole_error_tree():
    tree = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.VisionError)
    }
    assert set(vision.__all__) == PUBLIC | tree
    assert vision.__all__ == sorted(vision.__all__, key=lambda name: (not name.isupper(), name))


def test_every_public_name_loads_and_belongs_to_the_package():
    for name in vision.__all__:
        value = getattr(vision, name)
        module = getattr(value, "__module__", "vision")
        assert module.startswith("vision"), name


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="does_not_exist"):
        vision.does_not_exist  # noqa: B018


def test_importing_the_package_or_its_limits_loads_no_http_image_or_database_library():
    probe = (
        "import sys, vision, vision.limits; "
        "print(sorted(m for m in ('requests', 'PIL', 'sqlite3', 'sqlalchemy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_dir_of_the_package_is_its_public_names():
    # As httpx checks its own surface: nothing public beyond __all__ (and the subpackages, which
    # are modules of their own), and all of it listed.
    names = [name for name in dir(vision) if not name.startswith("_")]
    assert [name for name in names if not inspect.ismodule(getattr(vision, name))] == sorted(
        vision.__all__
    )
