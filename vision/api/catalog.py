"""The models a backend serves, as the page and the CLI list them: image-capable first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from vision.errors import VisionError
from vision.images.profiles import profile_for
from vision.values.result import ModelInfo

# The two models the provider's vision page documents (see docs/limits.md).
DOCUMENTED_MODELS = ("meta-llama/Llama-3.2-90B-Vision-Instruct", "Qwen/Qwen2-VL-7B-Instruct")


class ModelLister(Protocol):
    """What a catalog needs from a client: the /models list."""

    def list_models(self) -> list[ModelInfo]:
        """The served models."""
        ...


def short_name(model: str) -> str:
    """The model id without its organisation prefix."""
    return model.rsplit("/", 1)[-1]


def compact_name(model: str) -> str:
    """The short name without the "-Instruct" suffix, for tight spaces such as image cards."""
    return short_name(model).removesuffix("-Instruct")


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalog:
    """The models a backend serves, image-capable first, or the fallback and why."""

    backend: str
    models: tuple[ModelInfo, ...]
    problem: str | None = None

    @property
    def ids(self) -> list[str]:
        """The model ids in display order."""
        return [model.id for model in self.models]

    def info(self, model: str) -> ModelInfo:
        """What the server told us about a model (an empty record for unknown ids)."""
        return next((info for info in self.models if info.id == model), ModelInfo(id=model))

    def label(self, model: str) -> str:
        """A model's short name, marked when it cannot read images."""
        name = short_name(model)
        return name if sees_images(self.info(model)) else f"{name} · text only"

    def default_selection(self) -> list[str]:
        """The documented models where served; else the first model that takes images."""
        served = [model for model in DOCUMENTED_MODELS if model in self.ids]
        if served:
            return served
        return [info.id for info in self.models if sees_images(info)][:1]


def sees_images(info: ModelInfo) -> bool:
    """Whether a model takes images: the server's word, else a guess from its profile."""
    if info.supports_images is not None:
        return info.supports_images
    return profile_for(info.id).accepts_images


def _ordered(models: Sequence[ModelInfo]) -> tuple[ModelInfo, ...]:
    """Image-capable models first, otherwise in the server's order."""
    return tuple(sorted(models, key=lambda info: not sees_images(info)))


def _fallback(problem: str, backend: str) -> Catalog:
    documented = tuple(ModelInfo(id=model, supports_images=True) for model in DOCUMENTED_MODELS)
    return Catalog(backend=backend, models=documented, problem=problem)


def load_catalog(client: ModelLister, backend: str) -> Catalog:
    """The served models, or the two documented ones with the reason /models could not be read."""
    try:
        models = client.list_models()
    except VisionError as err:
        return _fallback(f"Could not read the model list: {err}", backend)
    if not models:
        return _fallback("The server listed no models.", backend)
    return Catalog(backend=backend, models=_ordered(models))
