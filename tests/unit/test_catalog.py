"""The model list the page and the CLI show: which models are preselected, which read images."""

from __future__ import annotations

from tests.support.models import LLAMA, QWEN
from vision.api.catalog import DOCUMENTED_MODELS, Catalog, load_catalog
from vision.errors import VisionError
from vision.values.result import ModelInfo

TEXT_ONLY = "meta-llama/Llama-3.3-70B-Instruct"


class _Lister:
    def __init__(self, models: list[ModelInfo] | Exception) -> None:
        self.models = models

    def list_models(self) -> list[ModelInfo]:
        if isinstance(self.models, Exception):
            raise self.models
        return self.models


def test_the_tests_name_the_two_documented_models() -> None:
    assert DOCUMENTED_MODELS == (LLAMA, QWEN)


def test_the_documented_models_are_preselected_when_served() -> None:
    catalog = Catalog(
        backend="b",
        models=(ModelInfo(id=TEXT_ONLY), ModelInfo(id=QWEN), ModelInfo(id=LLAMA)),
    )
    assert catalog.default_selection() == [LLAMA, QWEN]


def test_an_unreadable_model_list_falls_back_to_the_documented_models_with_the_reason() -> None:
    catalog = load_catalog(_Lister(VisionError("the server is down")), backend="b")
    assert catalog.ids == [LLAMA, QWEN]
    assert catalog.problem is not None
    assert "the server is down" in catalog.problem


def test_text_only_models_are_listed_last_and_marked() -> None:
    served = [ModelInfo(id=TEXT_ONLY, supports_images=False), ModelInfo(id=QWEN)]
    catalog = load_catalog(_Lister(served), backend="b")
    assert catalog.ids == [QWEN, TEXT_ONLY]
    assert catalog.label(TEXT_ONLY) == "Llama-3.3-70B-Instruct · text only"
    assert catalog.label(QWEN) == "Qwen2-VL-7B-Instruct"
